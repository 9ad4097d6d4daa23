import assert from 'node:assert/strict';
import { test } from 'node:test';
import { uncheckedReason } from '../../src/github/unchecked-reason.ts';
import { ClusterCredentialsError, ClusterLookupError } from '../../src/kube/credentials/cluster-credentials.ts';
import { credentialFailure } from '../../src/kube/credential-failure.ts';
import { DeadlineExceededError } from '../../src/kube/kube-client.ts';
import { KubeApiError, KubeconfigCredentialsError, KubeUnreachableError } from '../../src/kube/kube-errors.ts';
import { LiveStateError } from '../../src/live/live-state.ts';

const SERVER = 'https://10.1.2.3:6443';
/** As ClusterReader raises them: a LiveStateError whose cause is the client's error. */
const asRead = (error: Error) => new LiveStateError(error.message, { cause: error });
const unreachable = (transport: string) => asRead(new KubeUnreachableError(SERVER, transport));
const forbidden = new KubeApiError(403, { reason: 'Forbidden', message: 'plugins.plugin.flomesh.io is forbidden: User "system:serviceaccount:fsm:gitops" cannot list resource "plugins"' }, 'list Plugins');
const unauthorized = new KubeApiError(401, { reason: 'Unauthorized', message: 'Unauthorized' }, 'list Plugins');

test('the same cause is said in the same words whatever the timing, port or address of this run', () => {
  assert.equal(uncheckedReason(unreachable('no answer within 29.7 s')), uncheckedReason(unreachable('no answer within 4.2 s')));
  assert.equal(uncheckedReason(unreachable('no answer within 29.7 s')), "the cluster's API server did not answer in time");
  assert.equal(uncheckedReason(asRead(new KubeUnreachableError('https://10.9.9.9:443', 'ECONNREFUSED'))), uncheckedReason(unreachable('ECONNREFUSED')));
  // A cluster that hangs ends as a request's timeout or as the repository's deadline, as its retries fall: the same words.
  assert.equal(uncheckedReason(new DeadlineExceededError('list Plugins')), uncheckedReason(unreachable('no answer within 30 s')));
});

test('each cause has its own words, and none names the server, a path or a tool\'s output', () => {
  const cases: [Error, string][] = [
    [unreachable('ECONNREFUSED'), "the cluster's API server refused the connection"],
    [unreachable('ETIMEDOUT'), "the cluster's API server did not answer in time"],
    [unreachable('ENOTFOUND'), "the cluster's API server could not be found: its host name did not resolve"],
    [unreachable('ECONNRESET'), "the cluster's API server closed the connection"],
    [unreachable('DEPTH_ZERO_SELF_SIGNED_CERT'), "the cluster's API server was not trusted: its TLS certificate was not accepted"],
    [unreachable('ERR_TLS_CERT_ALTNAME_INVALID'), "the cluster's API server was not trusted: its TLS certificate was not accepted"],
    [unreachable('CERT_HAS_EXPIRED'), "the cluster's API server was not trusted: its TLS certificate was not accepted"],
    // The server's alerts: it refused the app's client certificate (an mTLS proxy in front of the API server).
    [unreachable('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED'), "the cluster's API server refused the app's TLS client certificate"],
    [unreachable('ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE'), "the cluster's API server refused the app's TLS client certificate"],
    [unreachable('EHOSTUNREACH'), "the cluster's API server could not be reached"],
    [new LiveStateError(credentialFailure(unauthorized, SERVER)!, { cause: unauthorized }), "the cluster's API server did not accept the app's credentials (401 Unauthorized)"],
    [new LiveStateError(credentialFailure(forbidden, SERVER)!, { cause: forbidden }), "the app's credentials lack a permission the drift check needs (403 Forbidden; see deploy/rbac.yaml)"],
    [new KubeApiError(500, { reason: 'InternalError', message: 'etcdserver: request timed out after 5.03s' }, 'list Plugins'), "the cluster's API server answered 500 InternalError"],
    [new KubeconfigCredentialsError('eks-admin', 'exec plugin "aws"', 'An error occurred (ExpiredToken) at 2026-12-05T04:00:01Z'), "the app could not get credentials for the cluster: its kubeconfig user's login, exec plugin or credential files failed"],
    [new DeadlineExceededError('list Plugins'), "the cluster's API server did not answer in time"],
    [
      new ClusterLookupError('cannot get credentials for cluster "prod": AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/fsm-gitops/x is not authorized to perform: ssm:GetParameter on resource: arn:aws:ssm:eu-west-1:123456789012:parameter/fsm/prod'),
      "the app could not get the cluster's credentials from where its settings keep them (a kubeconfig file, SSM, Secrets Manager or EKS)",
    ],
    [new LiveStateError('cannot read cluster snapshot /srv/fsm/snapshots/prod.yaml: ENOENT'), "the cluster's live state could not be read"],
  ];
  for (const [error, reason] of cases) {
    assert.equal(uncheckedReason(error), reason, error.message);
    assert.doesNotMatch(reason, /10\.1\.2\.3|6443|\/srv|ExpiredToken|etcdserver|system:serviceaccount|123456789012|parameter\/fsm/, error.message);
  }
});

test("the app's own message about its cluster settings is kept: it says what to fix", () => {
  const error = new ClusterCredentialsError('no credentials for cluster "prod-eu-1" in the app\'s settings: check the environment\'s cluster: in .github/fsm-gitops.yml, or ask the app\'s operator to add it (docs/clusters.md)');
  assert.equal(uncheckedReason(error), error.message);
});

test('a cause chain that loops back on itself still ends', () => {
  const a = new Error('a');
  const b = new Error('b', { cause: a });
  (a as { cause?: unknown }).cause = b;
  assert.equal(uncheckedReason(a), "the cluster's live state could not be read");
});
