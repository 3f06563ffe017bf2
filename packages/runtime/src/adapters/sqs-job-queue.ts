import {
  ChangeMessageVisibilityBatchCommand,
  type MessageAttributeValue,
  type MessageSystemAttributeNameForSends,
  type MessageSystemAttributeValue,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { chunk, chunkByWeight } from '../runtime/chunk.ts';

export { chunk };
import { Attr, jobEnvelope } from '../contracts/envelope.ts';
import { TRACE_HEADER_ATTRIBUTE } from '../contracts/trace-header.ts';
import { PermanentJobError } from '../runtime/errors.ts';
import type { DeadLetter, JobQueue, OutgoingJob, VisibilityChange } from '../runtime/job-queue.ts';
import { runtimeClientConfig } from './client-config.ts';

const BATCH = 10;
/** SQS's limit for one message, and for the sum of a batch's messages. */
export const SQS_MAX_BYTES = 262_144;
const SEND_TRIES = 4;

const text = (value: string): MessageAttributeValue => ({ DataType: 'String', StringValue: value });

/**
 * The trace header as a system attribute, which SQS takes over the SDK's X-Amzn-Trace-Id: that one is the
 * invocation's, shared by every record of a batch, where each message belongs to the trace of its own run.
 * SQS does not count it against the message's size.
 */
function traceAttributes(
  header: string | undefined,
):
  | { MessageSystemAttributes: Partial<Record<MessageSystemAttributeNameForSends, MessageSystemAttributeValue>> }
  | undefined {
  if (header === undefined) return undefined;
  return { MessageSystemAttributes: { [TRACE_HEADER_ATTRIBUTE]: { DataType: 'String', StringValue: header } } };
}

/** What SQS counts against its size limit: the body plus each attribute's name, type and value. */
function messageBytes(message: { body: string; attributes: Record<string, MessageAttributeValue> }): number {
  let bytes = Buffer.byteLength(message.body);
  for (const [name, value] of Object.entries(message.attributes)) {
    bytes +=
      Buffer.byteLength(name) + Buffer.byteLength(value.DataType ?? '') + Buffer.byteLength(value.StringValue ?? '');
  }
  return bytes;
}

/** The body and attributes every producer sends: the CLI, other jobs and the runtime's continuations. */
export function envelopeMessage(
  job: string,
  entry: OutgoingJob,
  now: number,
): { body: string; attributes: Record<string, MessageAttributeValue> } {
  const envelope = jobEnvelope(job, { ...entry, enqueuedAt: new Date(now).toISOString() });
  return { body: JSON.stringify(envelope), attributes: { [Attr.JOB_ID]: text(entry.id) } };
}

export interface SqsJobQueueOptions {
  readonly ownQueueUrl: string;
  readonly deadLetterQueueUrl: string;
  /** URL of the queue of `job`; throws for a job this function may not enqueue. */
  readonly queueUrlOf: (job: string) => string;
  readonly now?: () => number;
}

/**
 * A reason quotes the given value, and SQS refuses an attribute with a
 * character outside its set (U+FFFE, U+FFFF, a lone surrogate, most control characters), which made the DLQ
 * copy fail on every delivery. Such characters become U+FFFD in the reason.
 */
function sqsText(value: string): string {
  return value.replace(/[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu, '\ufffd');
}

/** The largest message SQS takes at all (a queue's MaximumMessageSize may be raised up to this). */
export const SQS_HARD_MAX_BYTES = 1_048_576;

/**
 * A message that arrived at SQS's maximum size could not be copied to
 * the DLQ with the reason attributes added (SQS refused the copy), so it was retried as a poison message and
 * never got its reason. The copy's body is cut to fit, on a character boundary, and marked `sj-truncated`
 * with the original size; the reason and the rest of the attributes are kept.
 */
function fitBody(body: string, attributes: Record<string, MessageAttributeValue>): string {
  const room = SQS_HARD_MAX_BYTES - messageBytes({ body: '', attributes }) - 64;
  const bytes = Buffer.byteLength(body);
  if (bytes <= room) return body;
  attributes[Attr.TRUNCATED] = { DataType: 'Number', StringValue: String(bytes) };
  let cut = Buffer.from(body)
    .subarray(0, room - 64)
    .toString('utf8');
  // A cut inside a multi-byte character decodes to U+FFFD at the end; drop it.
  if (cut.endsWith('\ufffd')) cut = cut.slice(0, -1);
  return cut;
}

/** A function's queue on its own SQS client; `useQueueUrlAsEndpoint: false` is right on AWS and on fauxqs alike. */
export function createSqsJobQueue(options: SqsJobQueueOptions): SqsJobQueue {
  return new SqsJobQueue(new SQSClient({ ...runtimeClientConfig, useQueueUrlAsEndpoint: false }), options);
}

export class SqsJobQueue implements JobQueue {
  private readonly now: () => number;

  constructor(
    private readonly client: SQSClient,
    private readonly options: SqsJobQueueOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  async send(job: string, jobs: readonly OutgoingJob[]): Promise<void> {
    const queueUrl = this.options.queueUrlOf(job);
    const messages = jobs.map((entry) => ({ entry, ...envelopeMessage(job, entry, this.now()) }));
    const tooLarge = messages.find((message) => messageBytes(message) > SQS_MAX_BYTES);
    if (tooLarge) {
      throw new PermanentJobError(
        `${job} job "${tooLarge.entry.id}" is ${messageBytes(tooLarge)} bytes; SQS takes at most ${SQS_MAX_BYTES}`,
      );
    }
    for (const group of chunkByWeight(messages, BATCH, SQS_MAX_BYTES, messageBytes)) {
      let pending = group.map((message, index) => ({ message, id: String(index) }));
      for (let attempt = 1; pending.length > 0; attempt++) {
        const { Failed = [] } = await this.client.send(
          new SendMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: pending.map(({ message, id }) => ({
              Id: id,
              MessageBody: message.body,
              MessageAttributes: message.attributes,
              DelaySeconds: message.entry.delaySeconds,
              MessageGroupId: message.entry.messageGroupId,
              ...traceAttributes(message.entry.traceHeader),
            })),
          }),
        );
        const failedIds = new Set(Failed.map((failure) => failure.Id));
        pending = pending.filter(({ id }) => failedIds.has(id));
        if (pending.length > 0 && attempt >= SEND_TRIES) {
          throw new Error(
            `SQS refused ${pending.length} of ${group.length} ${job} messages: ` +
              `${Failed.map((f) => f.Message ?? f.Code).join('; ')}`,
          );
        }
        if (pending.length > 0) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
      }
    }
  }

  async deadLetter(letter: DeadLetter): Promise<void> {
    const attributes: Record<string, MessageAttributeValue> = {};
    for (const [name, value] of Object.entries(letter.record.attributes)) {
      if (value !== undefined && !name.startsWith('sj-')) attributes[name] = text(value);
    }
    attributes[Attr.JOB_ID] = text(letter.jobId);
    attributes[Attr.REASON] = text(sqsText(letter.reason.slice(0, 2000)));
    attributes[Attr.ATTEMPTS] = { DataType: 'Number', StringValue: String(letter.attempts) };
    attributes[Attr.DEAD_AT] = text(new Date(letter.at).toISOString());
    if (letter.fence !== undefined)
      attributes[Attr.DEAD_FENCE] = { DataType: 'Number', StringValue: String(letter.fence) };
    await this.client.send(
      new SendMessageCommand({
        QueueUrl: this.options.deadLetterQueueUrl,
        MessageBody: fitBody(letter.record.body, attributes),
        MessageAttributes: attributes,
        // The copy keeps its key, as a message SQS moves does, so that a redrive sends it back in its group.
        MessageGroupId: letter.record.messageGroupId,
        ...traceAttributes(letter.traceHeader ?? letter.record.traceHeader),
      }),
    );
  }

  async changeVisibility(changes: readonly VisibilityChange[]): Promise<void> {
    for (const group of chunk(changes, BATCH)) {
      await this.client.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: this.options.ownQueueUrl,
          Entries: group.map((change, index) => ({
            Id: String(index),
            ReceiptHandle: change.receiptHandle,
            VisibilityTimeout: change.seconds,
          })),
        }),
      );
    }
  }
}
