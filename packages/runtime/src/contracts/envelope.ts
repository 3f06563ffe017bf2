import type { ScheduledOccurrence } from '../runtime/run-ledger.ts';

/**
 * The message body producers send: the payload plus what the runtime needs to run it once.
 * A body that is not an envelope is taken whole as the payload (so `aws sqs send-message` works).
 */
export interface JobEnvelope {
  readonly payload: unknown;
  readonly id?: string;
  readonly job?: string;
  readonly enqueuedAt?: string;
  readonly schedule?: string;
  readonly occurrence?: string;
  readonly timeZone?: string;
  /** Continuation state handed from the previous invocation of a long job. */
  readonly resume?: unknown;
  /**
   * An occurrence enqueued by catch-up or backfill: on overlap it waits for its turn instead of being skipped,
   * since running it is the whole point of enqueuing it.
   */
  readonly waitTurn?: boolean;
}

/** What a producer knows of one message; `jobEnvelope` makes its body. */
export interface EnvelopeInput {
  readonly payload: unknown;
  readonly id?: string;
  readonly enqueuedAt?: string;
  readonly resume?: unknown;
  /** The schedule occurrence it runs; its `time` may be a placeholder the scheduling service fills in. */
  readonly occurrence?: { readonly schedule: string; readonly time: string; readonly timeZone: string };
  readonly waitTurn?: boolean;
}

/** The body of every message to a job's queue: the one producer for the SDK's sends and the schedules alike. */
export function jobEnvelope(job: string, input: EnvelopeInput): JobEnvelope {
  const { occurrence } = input;
  return {
    ...(input.id === undefined ? {} : { id: input.id }),
    job,
    ...(occurrence
      ? { schedule: occurrence.schedule, occurrence: occurrence.time, timeZone: occurrence.timeZone }
      : {}),
    payload: input.payload,
    ...(input.enqueuedAt === undefined ? {} : { enqueuedAt: input.enqueuedAt }),
    ...(input.resume === undefined ? {} : { resume: input.resume }),
    ...(input.waitTurn ? { waitTurn: true } : {}),
  };
}

const ENVELOPE_KEYS = new Set([
  'payload',
  'id',
  'job',
  'enqueuedAt',
  'schedule',
  'occurrence',
  'timeZone',
  'resume',
  'waitTurn',
]);

/** Message attributes the runtime reads and writes. */
export const Attr = {
  JOB_ID: 'jobId',
  REASON: 'sj-reason',
  ATTEMPTS: 'sj-attempts',
  DEAD_FENCE: 'sj-dead-fence',
  DEAD_AT: 'sj-dead-at',
  /** On a DLQ copy whose body was cut to fit SQS's size limit: the original body's size in bytes. */
  TRUNCATED: 'sj-truncated',
} as const;

export interface IncomingRecord {
  readonly messageId: string;
  readonly body: string;
  readonly sentTimestamp?: string;
  readonly attributes: Readonly<Record<string, string | undefined>>;
  /** The message's `AWSTraceHeader` system attribute: the trace its producer sent it in. */
  readonly traceHeader?: string;
  /** The message's MessageGroupId system attribute: its key, where its job declares `fairness`. */
  readonly messageGroupId?: string;
  /** The message's ApproximateReceiveCount system attribute: 1 on its first delivery. */
  readonly receiveCount?: number;
}

export interface ParsedMessage {
  readonly jobId: string;
  readonly payload: unknown;
  readonly enqueuedAt?: number;
  readonly occurrence?: ScheduledOccurrence;
  readonly resume?: unknown;
  readonly redriveOfFence?: number;
  readonly waitTurn?: boolean;
}

export type ParseResult =
  | { readonly ok: true; readonly message: ParsedMessage }
  | { readonly ok: false; readonly jobId: string; readonly reason: string };

const ID_PATTERN = /^[^\u0000-\u001f\u007f]{1,512}$/;
/**
 * An ID that SQS cannot carry as an attribute (a lone surrogate, U+FFFE,
 * U+FFFF; JSON can spell them) made the DLQ copy fail on every delivery, so such a message never got its reason.
 */
const NOT_SQS_TEXT = /[\ufffe\uffff]|\p{Cs}/u;

function isEnvelope(value: unknown): value is JobEnvelope {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.includes('payload') && keys.every((key) => ENVELOPE_KEYS.has(key));
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function toMillis(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const millis = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  return Number.isFinite(millis) ? millis : undefined;
}

/** The job ID of a scheduled occurrence: `<schedule>@<occurrence time>`, so a second firing is the same run. */
export function occurrenceJobId(schedule: string, occurrence: string): string {
  return `${schedule}@${occurrence}`;
}

/** Reads a record into what the runtime needs; never throws. */
export function parseMessage(record: IncomingRecord, jobName: string): ParseResult {
  const fallbackId = record.attributes[Attr.JOB_ID] ?? record.messageId;
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch {
    return {
      ok: false,
      jobId: fallbackId,
      reason: `body is not JSON (given ${JSON.stringify(record.body.slice(0, 80))})`,
    };
  }
  const envelope: JobEnvelope = isEnvelope(body) ? body : { payload: body };
  if (envelope.job !== undefined && envelope.job !== jobName) {
    return {
      ok: false,
      jobId: fallbackId,
      reason: `field "job": this is the queue of "${jobName}" (given ${JSON.stringify(envelope.job)})`,
    };
  }
  const schedule = optionalString(envelope.schedule);
  const occurrenceTime = optionalString(envelope.occurrence);
  const jobId =
    optionalString(envelope.id) ??
    (schedule && occurrenceTime ? occurrenceJobId(schedule, occurrenceTime) : fallbackId);
  if (!ID_PATTERN.test(jobId) || NOT_SQS_TEXT.test(jobId)) {
    return {
      ok: false,
      jobId: record.messageId,
      reason:
        `field "id": must be 1-512 characters without control characters (given ` +
        `${JSON.stringify(jobId.slice(0, 80))})`,
    };
  }
  const fence = record.attributes[Attr.DEAD_FENCE];
  return {
    ok: true,
    message: {
      jobId,
      payload: envelope.payload,
      enqueuedAt: toMillis(optionalString(envelope.enqueuedAt)) ?? toMillis(record.sentTimestamp),
      occurrence:
        schedule && occurrenceTime
          ? { schedule, time: occurrenceTime, timeZone: optionalString(envelope.timeZone) ?? 'UTC' }
          : undefined,
      resume: envelope.resume,
      waitTurn: envelope.waitTurn === true ? true : undefined,
      redriveOfFence: fence !== undefined && /^\d+$/.test(fence) ? Number(fence) : undefined,
    },
  };
}
