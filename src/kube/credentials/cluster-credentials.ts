import { DescribeClusterCommand, EKSClient, type EKSClientConfig } from '@aws-sdk/client-eks';
import { GetSecretValueCommand, SecretsManagerClient, type SecretsManagerClientConfig } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, SSMClient, type SSMClientConfig } from '@aws-sdk/client-ssm';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { untilAborted } from '../../core/until-aborted.ts';
import { logEvent } from '../../redact/redacting-log.ts';
import { redactShapes } from '../../redact/secret-shapes.ts';
import { KubeClient } from '../kube-client.ts';
import { EksTokenSource } from './eks-token.ts';

/**
 * How the app reaches a cluster that an environment's `cluster:` names. These live in the app's own
 * settings, never in the repository.
 */
export type ClusterCredentials =
  /** A kubeconfig file (a self-hosted server, the CLI). */
  | { kubeconfigFile: string; context?: string }
  /** No cluster: a snapshot file of live objects (read only; no dry run, no apply). For trials and tests. */
  | { snapshotFile: string }
  /** A kubeconfig held in an SSM Parameter Store SecureString. */
  | { ssmParameter: string; region?: string; context?: string }
  /** A kubeconfig held in a Secrets Manager secret (its SecretString). */
  | { secretsManagerSecret: string; region?: string; context?: string }
  /** An EKS cluster, reached with an IAM-signed token for the app's own AWS identity. Endpoint and CA are looked up unless given. */
  | { eks: { cluster: string; region: string; server?: string; certificateAuthority?: string } };

/**
 * How long one credentials lookup (SSM, Secrets Manager, EKS DescribeCluster) may take at most (ms), the app's
 * own AWS credentials and the SDK's retries included. The AWS SDK's own default is to wait for ever.
 */
export const CREDENTIALS_TIMEOUT_MS = 20_000;
/** How long one attempt may wait for a connection, for the answer's headers, and between two pieces of the answer (ms). */
export const AWS_ATTEMPT_MS = { connect: 3_000, answer: 8_000 };

export interface ConnectOptions {
  /** Default CREDENTIALS_TIMEOUT_MS. */
  timeoutMs?: number;
  /** Default AWS_ATTEMPT_MS.answer: an attempt past it is retried by the SDK, within timeoutMs. */
  attemptMs?: number;
}

export class ClusterCredentialsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClusterCredentialsError';
  }
}

/**
 * The cluster is in the app's settings, but its credentials could not be had from where they are kept (a
 * kubeconfig file, SSM, Secrets Manager, EKS): its message may hold the operator's names and AWS's own words
 * (an account id, a role, a parameter's path), which the operator's log is for, not every repository's issue.
 */
export class ClusterLookupError extends ClusterCredentialsError {
  constructor(message: string) {
    super(message);
    this.name = 'ClusterLookupError';
  }
}

/** Resolves cluster names to clients, once per name for the life of the process (a Lambda container). */
export class ClusterConnector {
  private readonly clients = new Map<string, Promise<KubeClient>>();
  /** A Map, not the parsed object: a repository's `cluster: constructor` must find nothing, not Object's. */
  private readonly clusters: ReadonlyMap<string, ClusterCredentials>;

  constructor(
    clusters: Readonly<Record<string, ClusterCredentials>>,
    private readonly options: ConnectOptions = {},
  ) {
    this.clusters = new Map(Object.entries(clusters));
  }

  credentials(name: string): ClusterCredentials | undefined {
    return this.clusters.get(name);
  }

  client(name: string): Promise<KubeClient> {
    let client = this.clients.get(name);
    if (!client) {
      const credentials = this.clusters.get(name);
      if (!credentials) {
        // The names the app holds are not listed: the message reaches pull requests of every repository it serves.
        return Promise.reject(new ClusterCredentialsError(`no credentials for cluster "${name}" in the app's settings: check the environment's cluster: in .github/fsm-gitops.yml, or ask the app's operator to add it (docs/clusters.md)`));
      }
      client = connect(name, credentials, this.options);
      // A failed lookup is not cached: the next event tries again.
      client.catch(() => this.clients.delete(name));
      this.clients.set(name, client);
    }
    return client;
  }
}

/**
 * A client for the cluster `name`, from its credentials. Throws ClusterCredentialsError naming the cluster
 * and what failed (never a kubeconfig's content), also when AWS does not answer within `options.timeoutMs`.
 */
export async function connect(name: string, credentials: ClusterCredentials, options: ConnectOptions = {}): Promise<KubeClient> {
  const timeoutMs = options.timeoutMs ?? CREDENTIALS_TIMEOUT_MS;
  const within = { abortSignal: AbortSignal.timeout(timeoutMs) };
  const answerMs = options.attemptMs ?? AWS_ATTEMPT_MS.answer;
  // requestTimeout ends at the answer's headers; socketTimeout is the wait between two pieces of it.
  const requestHandler = { connectionTimeout: AWS_ATTEMPT_MS.connect, requestTimeout: answerMs, socketTimeout: answerMs, throwOnRequestTimeout: true };
  const awsConfig = (region: string | undefined) => ({
    ...(region ? { region } : {}),
    requestHandler,
    // The app's own credentials (web identity, SSO, assume-role) are fetched by clients of their own.
    credentials: fromNodeProviderChain({ clientConfig: { requestHandler } }),
  });
  try {
    // The signal stops the requests; the race also stops the wait for credentials, which it does not reach.
    return await untilAborted(within.abortSignal, lookup(name, credentials, awsConfig, within));
  } catch (error) {
    if (error instanceof ClusterCredentialsError) throw error;
    if (within.abortSignal.aborted) throw new ClusterLookupError(`cannot get credentials for cluster "${name}": AWS did not answer within ${timeoutMs / 1000} s`);
    const { name: errorName, message } = error as Error;
    if (isAwsAnswer(error)) {
      // AWS's words name the app's account, role and the operator's parameters: its log has them, the pull request its kind.
      // Masked before the cut: a credential cut in two no longer has the shape the log's redaction looks for.
      const words = message.length > 2_000 ? `${redactShapes(message).slice(0, 2_000)}…` : message;
      logEvent('warn', 'cluster credentials not had', { cluster: name, error: `${errorName}: ${words}` });
      throw new ClusterLookupError(`cannot get credentials for cluster "${name}": AWS answered ${errorName} (the app's log line "cluster credentials not had" has AWS's words)`);
    }
    // Never echo a kubeconfig: only what failed and why.
    throw new ClusterLookupError(`cannot get credentials for cluster "${name}": ${errorName}: ${message.split('\n')[0]}`);
  }
}

/** An error AWS answered (an AWS SDK service exception, which carries the answer's `$metadata`), not one of the SDK or the network. */
function isAwsAnswer(error: unknown): boolean {
  return error instanceof Error && '$metadata' in error && typeof (error as { $fault?: unknown }).$fault === 'string';
}

/** A client's settings: its region, the request limits, and the app's own credentials (which the EKS token is signed with too). */
type AwsConfig = (region: string | undefined) => EKSClientConfig & SSMClientConfig & SecretsManagerClientConfig & { credentials: AwsCredentialIdentityProvider };

async function lookup(name: string, credentials: ClusterCredentials, awsConfig: AwsConfig, within: { abortSignal: AbortSignal }): Promise<KubeClient> {
  if ('snapshotFile' in credentials) throw new ClusterCredentialsError(`cluster "${name}" is a snapshot file: it cannot be connected to`);
  if ('kubeconfigFile' in credentials) return KubeClient.fromFile(credentials.kubeconfigFile, credentials.context);
  if ('ssmParameter' in credentials) {
    const ssm = new SSMClient(awsConfig(credentials.region));
    const answer = await ssm.send(new GetParameterCommand({ Name: credentials.ssmParameter, WithDecryption: true }), within);
    const kubeconfig = answer.Parameter?.Value;
    if (!kubeconfig) throw new ClusterLookupError(`SSM parameter ${credentials.ssmParameter} is empty`);
    return KubeClient.fromString(kubeconfig, credentials.context);
  }
  if ('secretsManagerSecret' in credentials) {
    const secrets = new SecretsManagerClient(awsConfig(credentials.region));
    const answer = await secrets.send(new GetSecretValueCommand({ SecretId: credentials.secretsManagerSecret }), within);
    if (!answer.SecretString) throw new ClusterLookupError(`secret ${credentials.secretsManagerSecret} has no SecretString`);
    return KubeClient.fromString(answer.SecretString, credentials.context);
  }
  return await connectEks(credentials.eks, awsConfig(credentials.eks.region), within);
}

async function connectEks(eks: { cluster: string; region: string; server?: string; certificateAuthority?: string }, config: ReturnType<AwsConfig>, within: { abortSignal: AbortSignal }): Promise<KubeClient> {
  let { server, certificateAuthority } = eks;
  if (!server || !certificateAuthority) {
    const described = await new EKSClient(config).send(new DescribeClusterCommand({ name: eks.cluster }), within);
    server ??= described.cluster?.endpoint;
    certificateAuthority ??= described.cluster?.certificateAuthority?.data;
    if (!server) throw new ClusterLookupError(`EKS cluster ${eks.cluster} in ${eks.region} has no endpoint`);
  }
  const tokens = new EksTokenSource(eks.cluster, eks.region, config.credentials);
  return KubeClient.fromServer(server, certificateAuthority, { token: () => tokens.token() });
}
