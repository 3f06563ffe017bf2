import type * as z from '../runtime/zod-mini.ts';
import type { FairnessPolicy } from './fairness.ts';
import type { TableDesign } from './table-design.ts';
import type { ResolvedTableUse, TableUse } from './table-use.ts';

/**
 * A schema of a payload or of settings: any zod 4 schema (the functions' own use `zod/mini`). Parse it with
 * `z.safeParse(schema, value)`; the core type has no methods.
 */
export type JobSchema = z.core.$ZodType;

/** How a failed attempt is spaced from the next one. Pure data, in the style of BullMQ's `backoff`. */
export interface BackoffPolicy {
  /** `exponential`: delay × 2^(attempt-1); `fixed`: delay every time. */
  readonly type: 'exponential' | 'fixed';
  /** Base delay in seconds. */
  readonly delaySeconds: number;
  /** Upper bound in seconds. @default 900 (SQS caps a visibility change at 12 h) */
  readonly maxDelaySeconds?: number;
  /** Fraction of the delay that is randomised, from 0 (none) to 1 (full jitter). @default 0.2 */
  readonly jitter?: number;
}

export interface RetryPolicy {
  /** Attempts in all, the first included. @default 3 */
  readonly attempts: number;
  readonly backoff: BackoffPolicy;
}

/**
 * What happens when an occurrence arrives while the previous run of the same schedule is still RUNNING
 * (Temporal's overlap policies). A schedule lease with a fencing token decides; an expired lease no longer blocks.
 * - `skip`: the occurrence is recorded SKIPPED with the reason, and does not run;
 * - `bufferOne`: it waits and runs once the current run finishes; any later one meanwhile is SKIPPED;
 * - `allow`: occurrences run concurrently (no lease, no extra write).
 */
export type OverlapPolicy = 'skip' | 'bufferOne' | 'allow';

/** What the watchdog does with missed occurrences (no run in the ledger) once the schedule runs again. */
export interface CatchUpPolicy {
  /** How far back a missed occurrence is still worth running: `30m`, `6h`, `2d`. */
  readonly window: string;
  /**
   * `latest`: only the most recent missed one runs (the older ones are passed over, not caught up); `all`: each runs;
   * `none`: none.
   */
  readonly mode: 'latest' | 'all' | 'none';
}

/**
 * An occurrence whose local time does not exist (the spring-forward gap). `skip` is EventBridge Scheduler's
 * behaviour: it does not run. `shift` runs it once at the next valid local time (the end of the gap), as
 * Hangfire's Cronos does; the watchdog enqueues it, since EventBridge never fires it.
 */
export type DstGapPolicy = 'skip' | 'shift';

export interface ScheduleDeclaration<P = unknown> {
  /** Unique within the job; part of the occurrence's job ID `<job>/<schedule>@<time>`. */
  readonly name: string;
  /** `cron(m h dom mon dow year)` or `rate(n unit)`, in AWS's syntax. */
  readonly expression: string;
  /** IANA time zone the cron is evaluated in. @default 'UTC' */
  readonly timeZone?: string;
  /** The job payload each occurrence carries. Validated against the job's schema when declared. */
  readonly payload: P;
  /** @default 'skip' */
  readonly overlap?: OverlapPolicy;
  /** @default { window: '6h', mode: 'latest' } */
  readonly catchUp?: CatchUpPolicy;
  /** @default 'skip' */
  readonly dstGap?: DstGapPolicy;
  /** An occurrence whose message arrives later than this after its time counts as late. @default '5m' */
  readonly lateAfter?: string;
  /** `scheduler` (EventBridge Scheduler, time zones) or `rule` (EventBridge rule, UTC only). @default 'scheduler' */
  readonly via?: 'scheduler' | 'rule';
}

export interface AlarmThresholds {
  /** Age of the oldest message that raises the backlog alarm. @default 900 */
  readonly oldestMessageAgeSeconds?: number;
  /** Failed attempts as a percentage of started ones, over 5 minutes. @default 10 */
  readonly errorRatePercent?: number;
  /** Maximum duration as a fraction of the timeout that raises the alarm. @default 0.8 */
  readonly durationOfTimeout?: number;
}

/** What a job touches besides the ledger and its own queues; the CDK constructs grant exactly these. */
export interface JobResources {
  /**
   * The tables it uses, each with what it does to it: `{ table: orders, access: 'read' }`; the role gets those
   * actions and no others. The function learns each name from `design.envVar`. A plain design, as before
   * accesses existed, means read, write and delete. The run ledger may be named too, read only. @default []
   */
  readonly tables?: readonly (TableUse | TableDesign)[];
  /**
   * Jobs this one enqueues: their declarations, so that the function validates what it sends with their
   * schemas and its bundle carries no other job's. Its own name stands for itself (continuations). @default []
   */
  readonly enqueues?: readonly (JobDeclaration | string)[];
  /** Whether the job sends e-mail through SES. @default false */
  readonly sendsEmail?: boolean;
}

/** The resources with every default applied. */
export interface ResolvedJobResources {
  readonly tables: readonly ResolvedTableUse[];
  /** The names of the jobs it enqueues, itself included where it continues. */
  readonly enqueues: readonly string[];
  /** The declarations of the other jobs it enqueues. */
  readonly enqueueTargets: readonly JobDeclaration[];
  readonly sendsEmail: boolean;
}

/**
 * A durable job: its run is a Lambda durable execution (steps, waits, callbacks) of up to a year, started by the
 * job's queue under the job ID as its execution name.
 */
export interface DurableSettings {
  /** How long the whole execution may take, waits included: `2d`, `36h`. At most 366 days. */
  readonly executionTimeout: string;
  /** Days Lambda keeps a closed execution's history. @default 14 (1 to 90) */
  readonly retentionDays?: number;
  /**
   * The callbacks its runs wait for, with the data each takes (`defineCallback`): `jobs-cli callback` refuses data
   * that does not match before it sends it, and `ctx.waitForCallback` returns the data parsed. @default none
   */
  readonly callbacks?: readonly CallbackDeclaration[];
}

/** A callback a durable job's runs wait for, by name, and the schema of the data it takes. */
export interface CallbackDeclaration<S extends JobSchema = JobSchema> {
  readonly name: string;
  readonly data: S;
}

/** The durable settings with every default applied. */
export interface ResolvedDurableSettings {
  readonly executionTimeoutSeconds: number;
  readonly retentionDays: number;
  readonly callbacks: readonly CallbackDeclaration[];
}

/** One job, declared once. Pure data: no CDK, no SDK. */
export interface JobDeclarationInput<S extends JobSchema, C extends JobSchema> {
  readonly name: string;
  readonly description: string;
  /** Schema of the message payload. */
  readonly payload: S;
  /** Schema of the job's settings; cdk.json context `settings.<job>.<key>` overrides the defaults. */
  readonly settings?: C;
  /** Lambda timeout. @default 30 (1 to 900) */
  readonly timeoutSeconds?: number;
  /** Lambda memory. @default 256 (128 to 10240) */
  readonly memoryMb?: number;
  /** Records per invocation. @default 10 (1 to 10000; above 10 needs a batching window) */
  readonly batchSize?: number;
  /** @default 0 (0 to 300) */
  readonly batchingWindowSeconds?: number;
  /** Event source mapping maximum concurrency. @default 5 (2 to 1000) */
  readonly maxConcurrency?: number;
  /** Records of one batch run at once inside an invocation. @default batchSize */
  readonly recordConcurrency?: number;
  readonly retry?: Partial<RetryPolicy>;
  readonly schedules?: readonly ScheduleDeclaration<z.input<S>>[];
  readonly alarms?: AlarmThresholds;
  /** Days a run record is kept. Must outlive queue + DLQ retention + the redrive window. @default 45 */
  readonly ledgerRetentionDays?: number;
  /** Days a message stays in the job's queue. @default 4 */
  readonly queueRetentionDays?: number;
  readonly resources?: JobResources;
  /** Makes the job durable: its handler is a durable one (`createDurableHandler`). @default - a queue worker */
  readonly durable?: DurableSettings;
  /**
   * Per-key fairness: `{ key: 'customerId' }`. Every producer sends the job's messages with the payload's key as
   * their MessageGroupId, so SQS fair queues keep one key's flood from starving the others. No hard per-key limit.
   * @default none (one queue, first come first served)
   */
  readonly fairness?: FairnessPolicy;
}

/** A declaration with every default applied in one place. */
export interface JobDeclaration<S extends JobSchema = JobSchema, C extends JobSchema = JobSchema> {
  readonly name: string;
  readonly description: string;
  readonly payload: S;
  readonly settings: C;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  readonly batchSize: number;
  readonly batchingWindowSeconds: number;
  readonly maxConcurrency: number;
  readonly recordConcurrency: number;
  readonly retry: RetryPolicy;
  readonly schedules: readonly Required<ScheduleDeclaration<z.input<S>>>[];
  readonly alarms: Required<AlarmThresholds>;
  readonly ledgerRetentionDays: number;
  readonly queueRetentionDays: number;
  /** Always longer than queueRetentionDays. */
  readonly dlqRetentionDays: number;
  /** Days a DLQ'd message may wait for a redrive; counted in the ledger retention check. */
  readonly redriveWindowDays: number;
  readonly resources: ResolvedJobResources;
  /** Present for a durable job. */
  readonly durable?: ResolvedDurableSettings;
  readonly fairness?: FairnessPolicy;
}

export type PayloadOf<J> = J extends JobDeclaration<infer S, JobSchema> ? z.output<S> : never;
export type SettingsOf<J> = J extends JobDeclaration<JobSchema, infer C> ? z.output<C> : never;
