import { randomUUID } from 'node:crypto';
import type { SQSMessageAttributes, SQSRecord } from 'aws-lambda';

/** A Lambda SQS record, as the event source mapping delivers it. */
export function sqsRecordFactory(
  body: unknown,
  options: { attributes?: Record<string, string>; receiptHandle?: string; sentAt?: number } = {},
): SQSRecord {
  const messageAttributes: SQSMessageAttributes = {};
  for (const [name, value] of Object.entries(options.attributes ?? {})) {
    messageAttributes[name] = { dataType: 'String', stringValue: value, stringListValues: [], binaryListValues: [] };
  }
  return {
    messageId: randomUUID(),
    receiptHandle: options.receiptHandle ?? `handle-${randomUUID()}`,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: String(options.sentAt ?? 0),
      SenderId: 'test',
      ApproximateFirstReceiveTimestamp: String(options.sentAt ?? 0),
    },
    messageAttributes,
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:test',
    awsRegion: 'us-east-1',
  };
}
