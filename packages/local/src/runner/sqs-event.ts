import type { Message } from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSMessageAttributes, SQSRecord } from 'aws-lambda';
import { TRACE_HEADER_ATTRIBUTE } from '@serverless-jobs/runtime/contracts';
import { messageTraceHeader } from './trace-headers.ts';

/**
 * The SQSEvent Lambda's event source mapping would build from these messages. Each record has an AWSTraceHeader:
 * its sender's, else a trace of its own, so that its run has a trace ID here as on AWS.
 */
export function toSqsEvent(messages: readonly Message[], queueArn: string): SQSEvent {
  return {
    Records: messages.map((message): SQSRecord => {
      const messageAttributes: SQSMessageAttributes = {};
      for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
        messageAttributes[name] = {
          dataType: value.DataType ?? 'String',
          stringValue: value.StringValue,
          binaryValue: value.BinaryValue ? Buffer.from(value.BinaryValue).toString('base64') : undefined,
          stringListValues: [],
          binaryListValues: [],
        };
      }
      const attributes = message.Attributes ?? {};
      const sentTimestamp = attributes.SentTimestamp ?? String(Date.now());
      const messageId = message.MessageId ?? '';
      return {
        messageId,
        receiptHandle: message.ReceiptHandle ?? '',
        body: message.Body ?? '',
        attributes: {
          ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
          SentTimestamp: sentTimestamp,
          SenderId: attributes.SenderId ?? 'local',
          ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
          AWSTraceHeader:
            attributes[TRACE_HEADER_ATTRIBUTE] ?? messageTraceHeader(messageId, Number(sentTimestamp) || Date.now()),
          ...(attributes.MessageGroupId === undefined ? {} : { MessageGroupId: attributes.MessageGroupId }),
        },
        messageAttributes,
        md5OfBody: message.MD5OfBody ?? '',
        eventSource: 'aws:sqs',
        eventSourceARN: queueArn,
        awsRegion: queueArn.split(':')[3] ?? 'us-east-1',
      };
    }),
  };
}

/** The message IDs a function reported as failed; a malformed answer fails the whole batch, as on Lambda. */
export function failedMessageIds(result: unknown, batch: readonly string[], reportsFailures: boolean): Set<string> {
  if (!reportsFailures) return new Set();
  if (result === null || result === undefined) return new Set();
  const failures = (result as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined) return new Set();
  if (!Array.isArray(failures)) return new Set(batch);
  const ids = new Set<string>();
  for (const failure of failures) {
    const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || id === '' || !batch.includes(id)) return new Set(batch);
    ids.add(id);
  }
  return ids;
}
