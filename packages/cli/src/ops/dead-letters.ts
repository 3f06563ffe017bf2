import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  type Message,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { chunk } from '@serverless-jobs/runtime/runtime';
import { Attr } from '@serverless-jobs/runtime/contracts';
import { OpsError } from './errors.ts';
import type { DeadLetterView, RedriveOptions } from './ops-types.ts';

/** Seconds a peeked message stays hidden before it is handed back. */
const PEEK_VISIBILITY_SECONDS = 30;
/** Seconds a message stays hidden while a redrive copies it; a stuck redrive gives it back by itself. */
const REDRIVE_VISIBILITY_SECONDS = 300;
/** Rounds with no message not seen before, after which the queue counts as drained. */
const QUIET_ROUNDS = 3;
/** The attribute EventBridge Scheduler puts on an occurrence it could not deliver. */
const SCHEDULER_ERROR = 'ERROR_MESSAGE';

const attr = (message: Message, name: string): string | undefined => message.MessageAttributes?.[name]?.StringValue;

function envelopeId(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { id?: unknown };
    return typeof parsed.id === 'string' ? parsed.id : undefined;
  } catch {
    return undefined;
  }
}

/** The reason, attempts and job ID the runtime wrote on a dead letter; SQS's own moves have no reason. */
export function toDeadLetterView(message: Message): DeadLetterView {
  const body = message.Body ?? '';
  const sent = message.Attributes?.SentTimestamp;
  return {
    messageId: message.MessageId ?? '',
    jobId: attr(message, Attr.JOB_ID) ?? envelopeId(body) ?? message.MessageId ?? '',
    reason:
      attr(message, Attr.REASON) ??
      attr(message, SCHEDULER_ERROR) ??
      '(no reason: moved by SQS after maxReceiveCount, or sent by hand)',
    attempts: Number(attr(message, Attr.ATTEMPTS) ?? message.Attributes?.ApproximateReceiveCount ?? 0),
    deadAt: attr(message, Attr.DEAD_AT) ?? (sent === undefined ? undefined : new Date(Number(sent)).toISOString()),
    body,
  };
}

/** `reason=timeout` or `jobId=o-1` match that field; anything else is a substring of either. Case-insensitive. */
export function deadLetterFilter(filter: string | undefined): (view: DeadLetterView) => boolean {
  if (filter === undefined || filter === '') return () => true;
  const match = /^(reason|jobId)=(.*)$/i.exec(filter);
  const needle = (match ? match[2]! : filter).toLowerCase();
  const field = match?.[1]?.toLowerCase();
  return (view) => {
    const fields = field === 'reason' ? [view.reason] : field === 'jobid' ? [view.jobId] : [view.reason, view.jobId];
    return fields.some((value) => value.toLowerCase().includes(needle));
  };
}

/** Attributes as SendMessage takes them back: every string, number and binary value, unchanged. */
function copyAttributes(message: Message): Record<string, MessageAttributeValue> {
  const copy: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    copy[name] = { DataType: value.DataType, StringValue: value.StringValue, BinaryValue: value.BinaryValue };
  }
  return copy;
}

/**
 * Receives messages not seen before, hiding them for `visibility` seconds, until the queue is drained or
 * `max` are held.
 */
class DistinctReceiver {
  private readonly seen = new Map<string, string>();

  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
    private readonly visibility: number,
  ) {}

  async *batches(max: number, perReceive = 10): AsyncGenerator<Message[]> {
    let quiet = 0;
    while (this.seen.size < max && quiet < QUIET_ROUNDS) {
      const { Messages = [] } = await this.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: this.queueUrl,
          MaxNumberOfMessages: Math.max(1, Math.min(perReceive, max - this.seen.size)),
          VisibilityTimeout: this.visibility,
          WaitTimeSeconds: 1,
          MessageAttributeNames: ['All'],
          MessageSystemAttributeNames: ['All'],
        }),
      );
      if (Messages.length === 0) break;
      const fresh = Messages.filter((m) => !this.seen.has(m.MessageId ?? ''));
      for (const m of Messages) this.seen.set(m.MessageId ?? '', m.ReceiptHandle ?? '');
      quiet = fresh.length === 0 ? quiet + 1 : 0;
      if (fresh.length > 0) yield fresh;
    }
  }

  forget(messageIds: readonly string[]): void {
    for (const id of messageIds) this.seen.delete(id);
  }

  /** Makes every message still held visible again at once. */
  async release(): Promise<void> {
    const held = [...this.seen.values()];
    this.seen.clear();
    for (const group of chunk(held, 10)) {
      await this.sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: group.map((handle, i) => ({ Id: String(i), ReceiptHandle: handle, VisibilityTimeout: 0 })),
        }),
      );
    }
  }
}

/** Up to `count` dead letters, never deleted: each is hidden briefly while read, then handed back. */
export async function peekDeadLetters(sqs: SQSClient, dlqUrl: string, count: number): Promise<DeadLetterView[]> {
  const receiver = new DistinctReceiver(sqs, dlqUrl, PEEK_VISIBILITY_SECONDS);
  const views: DeadLetterView[] = [];
  try {
    for await (const batch of receiver.batches(count)) views.push(...batch.map(toDeadLetterView));
  } finally {
    await receiver.release();
  }
  return views;
}

export interface CopyRedriveOptions extends RedriveOptions {
  readonly dlqUrl: string;
  readonly queueUrl: string;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  /** The queue's clock, which stamps SentTimestamp. @default Date.now */
  readonly wallClock?: () => number;
}

/** Sent no later than `at`: a letter stamped in the very millisecond the redrive began was already there. */
function arrivedBy(message: Message, at: number): boolean {
  const sent = Number(message.Attributes?.SentTimestamp);
  return !Number.isFinite(sent) || sent <= at;
}

/** What a redrive by copy did, and what it left in the DLQ and why. */
export interface CopyRedriveTally {
  /** The messages moved (or, in a dry run, that would move). */
  readonly moved: DeadLetterView[];
  /** In the DLQ when the redrive began, and left there because the filter did not match them. */
  readonly skipped: number;
  /**
   * Reached the DLQ while the redrive ran under the job ID of a message it moved (or its copy's message ID,
   * which the runtime takes when the message has no job ID): moved, run, and failed again. Left there.
   */
  readonly failedAgain: number;
  /** Other dead letters that reached the DLQ while the redrive ran; left for the next one. */
  readonly arrivedMeanwhile: number;
}

/**
 * Moves dead letters back by copy: receive from the DLQ, send body and every attribute (the dead fence
 * among them) to the job's queue, and delete from the DLQ only what SQS accepted. A message that does
 * not match the filter, or that SQS refused, is handed back to the DLQ untouched. Counts what it left
 * and why.
 */
export async function redriveByCopy(sqs: SQSClient, options: CopyRedriveOptions): Promise<CopyRedriveTally> {
  const matches = deadLetterFilter(options.filter);
  const receiver = new DistinctReceiver(sqs, options.dlqUrl, REDRIVE_VISIBILITY_SECONDS);
  const moved: DeadLetterView[] = [];
  // A moved message that fails again comes back under its job ID or, lacking one, its copy's message ID.
  const movedIds = new Set<string>();
  const refused: string[] = [];
  const undeleted: string[] = [];
  const left = { skipped: 0, failedAgain: 0, arrivedMeanwhile: 0 };
  const began = options.now();
  const startedAt = (options.wallClock ?? Date.now)();
  const perReceive = options.rate === undefined ? 10 : Math.max(1, Math.min(10, Math.floor(options.rate)));
  try {
    for await (const batch of receiver.batches(Number.POSITIVE_INFINITY, perReceive)) {
      // Only what was in the DLQ when the redrive began: a message that fails again at once comes back
      // as a new DLQ message, and moving it again would loop for ever.
      // SentTimestamp is the queue's wall clock, so it is compared with the wall clock, not the injected one.
      const present = batch.filter((message) => arrivedBy(message, startedAt));
      for (const late of batch.filter((message) => !present.includes(message))) {
        if (movedIds.has(toDeadLetterView(late).jobId)) left.failedAgain++;
        else left.arrivedMeanwhile++;
      }
      const chosen = present.filter((message) => matches(toDeadLetterView(message)));
      left.skipped += present.length - chosen.length;
      if (options.dryRun || chosen.length === 0) {
        moved.push(...chosen.map(toDeadLetterView));
        continue;
      }
      if (options.rate !== undefined)
        await options.sleep(Math.max(0, began + (moved.length / options.rate) * 1000 - options.now()));
      const { Successful = [], Failed = [] } = await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: options.queueUrl,
          Entries: chosen.map((message, i) => ({
            Id: String(i),
            MessageBody: message.Body ?? '',
            MessageAttributes: copyAttributes(message),
            // Back in its group (its fairness key), as SQS's own move keeps it.
            MessageGroupId: message.Attributes?.MessageGroupId,
          })),
        }),
      );
      const failed = new Set(Failed.map((failure) => failure.Id));
      const sent = chosen.filter((_, i) => !failed.has(String(i)));
      refused.push(...Failed.map((failure) => `${failure.Id}: ${failure.Message ?? failure.Code}`));
      for (const copy of Successful) if (copy.MessageId) movedIds.add(copy.MessageId);
      if (sent.length > 0) {
        const deletion = await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: options.dlqUrl,
            Entries: sent.map((message, i) => ({ Id: String(i), ReceiptHandle: message.ReceiptHandle ?? '' })),
          }),
        );
        // Copied but still in the DLQ: it may be redriven twice, and the ledger runs it once.
        undeleted.push(
          ...(deletion.Failed ?? []).map((failure) => `${failure.Id}: ${failure.Message ?? failure.Code}`),
        );
      }
      receiver.forget(sent.map((message) => message.MessageId ?? ''));
      const views = sent.map(toDeadLetterView);
      for (const view of views) movedIds.add(view.jobId);
      moved.push(...views);
    }
  } finally {
    await receiver.release();
  }
  if (refused.length > 0 || undeleted.length > 0) {
    throw new OpsError(
      `redrive: moved ${moved.length}; SQS refused to send ${refused.length} (still in the DLQ) and ` +
        `to delete ${undeleted.length} copied ones (still in the DLQ too; the ledger runs a copy ` +
        `once): ${[...refused, ...undeleted].slice(0, 3).join('; ')}`,
    );
  }
  return { moved, ...left };
}

/** The AWS way for a whole DLQ: SQS moves every message itself, attributes included, at `rate` per second. */
export async function startMoveTask(
  sqs: SQSClient,
  sourceArn: string,
  destinationArn: string,
  rate?: number,
): Promise<string> {
  const { TaskHandle } = await sqs.send(
    new StartMessageMoveTaskCommand({
      SourceArn: sourceArn,
      DestinationArn: destinationArn,
      MaxNumberOfMessagesPerSecond: rate === undefined ? undefined : Math.max(1, Math.min(500, Math.floor(rate))),
    }),
  );
  return TaskHandle ?? '';
}
