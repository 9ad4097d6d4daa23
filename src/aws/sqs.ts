import { awsJsonCall } from './aws-json.ts';

export interface FifoMessage {
  queueUrl: string;
  body: string;
  /** Messages of one group are handled in order, one at a time. */
  groupId: string;
  /** SQS drops a second message with the same id within five minutes. */
  deduplicationId: string;
}

export async function sendFifoMessage(message: FifoMessage, env?: Record<string, string | undefined>): Promise<string> {
  const answer = await awsJsonCall<{ MessageId?: string }>(
    'sqs',
    'AmazonSQS.SendMessage',
    { QueueUrl: message.queueUrl, MessageBody: message.body, MessageGroupId: message.groupId, MessageDeduplicationId: message.deduplicationId },
    env,
  );
  return answer.MessageId ?? '';
}

/**
 * Makes a received message visible again `seconds` from now (0 to 43,200; SQS ChangeMessageVisibility): the
 * next try of a message whose handling failed comes then, not after the queue's whole visibility timeout.
 * Throws AwsCallError (awsJsonCall).
 */
export async function changeMessageVisibility(queueUrl: string, receiptHandle: string, seconds: number, env?: Record<string, string | undefined>): Promise<void> {
  await awsJsonCall('sqs', 'AmazonSQS.ChangeMessageVisibility', { QueueUrl: queueUrl, ReceiptHandle: receiptHandle, VisibilityTimeout: seconds }, env);
}

/** The URL of the queue an SQS ARN names: `arn:aws:sqs:<region>:<account>:<name>` → `https://sqs.<region>.amazonaws.com/<account>/<name>`. */
export function queueUrlOf(arn: string): string {
  const [, , , region, account, name] = arn.split(':');
  if (!region || !account || !name) throw new Error(`not an SQS queue ARN: ${arn}`);
  return `https://sqs.${region}.amazonaws.com/${account}/${name}`;
}
