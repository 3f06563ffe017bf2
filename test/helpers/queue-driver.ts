import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
} from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { chunk } from '@serverless-jobs/runtime/runtime';
import { type BatchSummary, processBatch } from '@serverless-jobs/runtime/runtime';
import type { RuntimeDeps } from '@serverless-jobs/runtime/runtime';
import { sqs } from '#test/helpers/aws';

/** An SQS message as the event source mapping hands it to Lambda. */
export function toSqsRecord(message: Message): SQSRecord {
  const messageAttributes: SQSRecord['messageAttributes'] = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    messageAttributes[name] = {
      dataType: value.DataType ?? 'String',
      stringValue: value.StringValue,
      stringListValues: [],
      binaryListValues: [],
    };
  }
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: message.Attributes?.ApproximateReceiveCount ?? '1',
      SentTimestamp: message.Attributes?.SentTimestamp ?? '0',
      SenderId: 'test',
      ApproximateFirstReceiveTimestamp: message.Attributes?.ApproximateFirstReceiveTimestamp ?? '0',
    },
    messageAttributes,
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:test',
    awsRegion: 'us-east-1',
  };
}

/** Sends raw bodies in batches of 10. */
export async function sendBodies(queueUrl: string, bodies: readonly string[]): Promise<void> {
  const client = sqs();
  await Promise.all(
    chunk(bodies, 10).map((group) =>
      client.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: group.map((body, index) => ({ Id: String(index), MessageBody: body })),
        }),
      ),
    ),
  );
}

export async function receive(
  queueUrl: string,
  max = 10,
  visibilityTimeout?: number,
  waitSeconds = 0,
): Promise<Message[]> {
  const { Messages = [] } = await sqs().send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: max,
      MessageAttributeNames: ['All'],
      MessageSystemAttributeNames: ['All'],
      WaitTimeSeconds: waitSeconds,
      VisibilityTimeout: visibilityTimeout,
    }),
  );
  return Messages;
}

/** What an event source mapping does after an invocation: deletes every record not reported as a failure. */
export async function deleteAcknowledged(
  queueUrl: string,
  records: readonly SQSRecord[],
  summary: BatchSummary,
): Promise<number> {
  const failed = new Set(summary.response.batchItemFailures.map((failure) => failure.itemIdentifier));
  const done = records.filter((record) => !failed.has(record.messageId));
  for (const group of chunk(done, 10)) {
    await sqs().send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: group.map((record, index) => ({ Id: String(index), ReceiptHandle: record.receiptHandle })),
      }),
    );
  }
  return done.length;
}

/** One poll of one lane: receive up to 10, invoke the runtime, delete what it acknowledged. */
export async function pollOnce(
  deps: RuntimeDeps,
  queueUrl: string,
  waitSeconds = 0,
): Promise<{ received: number; summary?: BatchSummary }> {
  const messages = await receive(queueUrl, 10, undefined, waitSeconds);
  if (messages.length === 0) return { received: 0 };
  const records = messages.map(toSqsRecord);
  const summary = await processBatch(deps, records);
  await deleteAcknowledged(queueUrl, records, summary);
  return { received: messages.length, summary };
}
