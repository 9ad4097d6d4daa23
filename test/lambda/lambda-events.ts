import type { APIGatewayProxyEventV2, EventBridgeEvent, SQSEvent, SQSRecord } from 'aws-lambda';
import { fromWebhook } from '../../src/events/from-webhook.ts';
import { LAMBDA_ENV } from '../support/fake-aws.ts';
import { PRIVATE_KEY } from '../support/fake-github.ts';

/** The worker's and drift's settings in SSM, as serverless.yml names them for stage prod. */
export const SETTINGS = {
  '/fsm-gitops/prod/github-app-id': '1',
  '/fsm-gitops/prod/github-private-key': PRIVATE_KEY,
  '/fsm-gitops/prod/webhook-secret': 'secret',
  '/fsm-gitops/prod/clusters': 'clusters:\n  staging: { snapshotFile: examples/cluster/staging.yaml }\n  prod-eu-1: { snapshotFile: examples/cluster/production.yaml }\n',
};

/** The worker's and drift's environment (serverless.yml's appSettings) with Lambda's AWS credentials. */
export const APP_ENV = {
  ...LAMBDA_ENV,
  GITHUB_APP_ID: 'ssm:/fsm-gitops/prod/github-app-id',
  GITHUB_PRIVATE_KEY: 'ssm:/fsm-gitops/prod/github-private-key',
  WEBHOOK_SECRET: 'ssm:/fsm-gitops/prod/webhook-secret',
  CLUSTERS: 'ssm:/fsm-gitops/prod/clusters',
  MAX_RECEIVE_COUNT: '3',
  LOG_LEVEL: 'fatal',
};

/** An SQS event as Lambda's event source mapping delivers it (batch size 1). */
export function sqsEvent(body: string, receiveCount = 1): SQSEvent {
  const record: SQSRecord = {
    messageId: 'm-1',
    receiptHandle: 'handle',
    body,
    attributes: {
      ApproximateReceiveCount: String(receiveCount),
      SentTimestamp: '1795608000000',
      SenderId: 'AROAEXAMPLE',
      ApproximateFirstReceiveTimestamp: '1795608000001',
      SequenceNumber: '18849496460467696128',
      MessageGroupId: 'acme/mesh-config',
      MessageDeduplicationId: 'd-1',
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:fsm-gitops-prod-events.fifo',
    awsRegion: 'eu-west-1',
  };
  return { Records: [record] };
}

/** The queue message the webhook function makes of a pull_request delivery. */
export const queued = (payload: unknown): string => JSON.stringify(fromWebhook('pull_request', 'd-1', payload).event);

/** The drift function's EventBridge schedule event. */
export const SCHEDULED: EventBridgeEvent<'Scheduled Event', Record<string, never>> = {
  version: '0',
  id: 'e-1',
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: '123456789012',
  time: '2026-11-25T12:00:00Z',
  region: 'eu-west-1',
  resources: ['arn:aws:events:eu-west-1:123456789012:rule/fsm-gitops-prod-drift'],
  detail: {},
};

/** An API Gateway HTTP API (payload format 2.0) request as Lambda receives it. */
export function httpApiEvent(body: string, headers: Record<string, string>, base64 = false): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: 'POST /api/github/webhooks',
    rawPath: '/api/github/webhooks',
    rawQueryString: '',
    headers: { 'content-type': 'application/json', 'user-agent': 'GitHub-Hookshot/abc', ...headers },
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      domainName: 'abc123.execute-api.eu-west-1.amazonaws.com',
      domainPrefix: 'abc123',
      http: { method: 'POST', path: '/api/github/webhooks', protocol: 'HTTP/1.1', sourceIp: '140.82.115.1', userAgent: 'GitHub-Hookshot/abc' },
      requestId: 'req-1',
      routeKey: 'POST /api/github/webhooks',
      stage: '$default',
      time: '25/Nov/2026:12:00:00 +0000',
      timeEpoch: 1795608000000,
    },
    body: base64 ? Buffer.from(body).toString('base64') : body,
    isBase64Encoded: base64,
  };
}
