import nock from 'nock';

export const REGION = 'eu-west-1';
export const QUEUE_URL = `https://sqs.${REGION}.amazonaws.com/123456789012/fsm-gitops-prod-events.fifo`;

export interface QueuedMessage {
  MessageBody: string;
  MessageGroupId: string;
  MessageDeduplicationId: string;
  MessageId: string;
}

export interface VisibilityChange {
  QueueUrl: string;
  ReceiptHandle: string;
  VisibilityTimeout: number;
}

/** AWS credentials as Lambda provides them, for the signer. */
export const LAMBDA_ENV = { AWS_REGION: REGION, AWS_ACCESS_KEY_ID: 'ASIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_SESSION_TOKEN: 'session' };

/**
 * SSM Parameter Store and an SQS FIFO queue at the HTTP level (nock), behaving as AWS does where it
 * matters here: SecureStrings decrypted on request, SigV4 required, FIFO deduplication by
 * MessageDeduplicationId; visibility changes of received messages are recorded.
 */
export function fakeAws(parameters: Record<string, string>) {
  const queue: QueuedMessage[] = [];
  const sends: QueuedMessage[] = [];
  const parameterReads: string[] = [];
  const visibilityChanges: VisibilityChange[] = [];
  nock(`https://ssm.${REGION}.amazonaws.com`)
    .persist()
    .post('/')
    .matchHeader('x-amz-target', 'AmazonSSM.GetParameter')
    .matchHeader('authorization', /^AWS4-HMAC-SHA256 Credential=ASIAEXAMPLE\/\d{8}\/eu-west-1\/ssm\/aws4_request/)
    .reply((_uri, body) => {
      const { Name, WithDecryption } = json(body) as { Name: string; WithDecryption?: boolean };
      parameterReads.push(Name);
      const value = parameters[Name];
      if (value === undefined) return [400, { __type: 'ParameterNotFound', message: `Parameter ${Name} not found.` }];
      return [200, { Parameter: { Name, Type: 'SecureString', Value: WithDecryption ? value : 'AQICAH-encrypted' } }];
    });
  nock(`https://sqs.${REGION}.amazonaws.com`)
    .persist()
    .post('/')
    .matchHeader('x-amz-target', 'AmazonSQS.SendMessage')
    .matchHeader('authorization', /^AWS4-HMAC-SHA256 Credential=ASIAEXAMPLE\/\d{8}\/eu-west-1\/sqs\/aws4_request/)
    .reply((_uri, body) => {
      const input = json(body) as Omit<QueuedMessage, 'MessageId'> & { QueueUrl: string };
      if (input.QueueUrl !== QUEUE_URL) return [400, { __type: 'com.amazonaws.sqs#QueueDoesNotExist', message: 'no such queue' }];
      const duplicate = queue.find((m) => m.MessageDeduplicationId === input.MessageDeduplicationId);
      const message = duplicate ?? { ...input, MessageId: `msg-${queue.length + 1}` };
      sends.push(message);
      if (!duplicate) queue.push(message);
      return [200, { MessageId: message.MessageId }];
    })
    .post('/')
    .matchHeader('x-amz-target', 'AmazonSQS.ChangeMessageVisibility')
    .matchHeader('authorization', /^AWS4-HMAC-SHA256 Credential=ASIAEXAMPLE\/\d{8}\/eu-west-1\/sqs\/aws4_request/)
    .reply((_uri, body) => {
      const input = json(body) as VisibilityChange;
      if (input.QueueUrl !== QUEUE_URL) return [400, { __type: 'com.amazonaws.sqs#QueueDoesNotExist', message: 'no such queue' }];
      visibilityChanges.push(input);
      return [200, {}];
    });
  return { queue, sends, parameterReads, visibilityChanges };
}

/** AWS JSON protocols send application/x-amz-json-1.x, which nock leaves as text. */
function json(body: unknown): unknown {
  return typeof body === 'string' ? JSON.parse(body) : body;
}
