import type { RunCompletion, ScheduledOccurrence } from './run-ledger.ts';

/** The few logging calls a job needs; Powertools Logger satisfies it. */
export interface JobLogger {
  debug(message: string, ...extra: Record<string, unknown>[]): void;
  info(message: string, ...extra: Record<string, unknown>[]): void;
  warn(message: string, ...extra: Record<string, unknown>[]): void;
  error(message: string, ...extra: Record<string, unknown>[]): void;
}

/** The runtime's own logger: one whose children carry the run's keys. */
export interface RuntimeLogger extends JobLogger {
  /** A logger whose every line carries `keys` (job ID, attempt). */
  child(keys: Record<string, unknown>): JobLogger;
}

export type MetricName =
  | 'JobStarted'
  | 'JobSucceeded'
  | 'JobFailed'
  | 'JobRetried'
  | 'JobDeadLettered'
  | 'JobDuplicate'
  | 'JobBusy'
  | 'JobHandedBack'
  | 'JobLeaseLost'
  | 'JobCancelled'
  | 'JobSkipped'
  | 'JobBuffered'
  | 'JobDuration'
  | 'JobLag'
  | 'ScheduleLateness';

/** Metrics of one batch; written as one EMF line when the batch ends. */
export interface JobMetrics {
  count(name: MetricName, value?: number): void;
  milliseconds(name: MetricName, value: number): void;
}

export interface EnqueueOptions {
  /** Job ID; producers give a business key so a re-send is the same run. */
  readonly id: string;
  readonly delaySeconds?: number;
}

/** What a job handler gets besides its payload. */
export interface JobContext<Settings = unknown> {
  readonly job: string;
  readonly jobId: string;
  /**
   * The X-Ray trace ID of the run, on its ledger item and its log lines: its producer's trace, else the
   * invocation's; absent outside Lambda and the local runner.
   */
  readonly traceId?: string;
  /** 1 for the first attempt. */
  readonly attempt: number;
  /** Fencing token of this run's lease; grows with every claim. */
  readonly fence: number;
  readonly settings: Settings;
  readonly logger: JobLogger;
  readonly metrics: JobMetrics;
  readonly occurrence?: ScheduledOccurrence;
  /** State handed over by the invocation this one continues. */
  readonly resume?: unknown;
  /** State an earlier attempt of this run saved with checkpoint(). */
  readonly checkpointed?: unknown;
  now(): Date;
  /** Milliseconds left before the invocation's timeout. */
  remainingMs(): number;
  /** Validates against the target job's schema, then sends. */
  enqueue(job: string, payload: unknown, options: EnqueueOptions): Promise<void>;
  enqueueMany(job: string, jobs: readonly { readonly id: string; readonly payload: unknown }[]): Promise<void>;
  /** Saves progress into the run, so a retry of this run starts from it. */
  checkpoint(state: unknown): Promise<void>;
  /**
   * Reports how far the run has got, for `jobs runs` and the dashboard: `done` of `total` (any unit), with an
   * optional note. Written to the run at most once per `PROGRESS_INTERVAL_MS` (5 s); calls in between are dropped,
   * so a job may call it on every item. A job that never calls it writes nothing more.
   */
  progress(done: number, total: number, note?: string): Promise<void>;
  /** Enqueues this job again with `state` as its `resume`; the continuation is a run of its own. */
  continueLater(state: unknown): Promise<void>;
  /**
   * Lets a domain adapter commit the run's completion in its own transaction. `commit` returns
   * whether the completion was written; if it was, the runtime does not write it again.
   */
  completeWith(commit: (completion: RunCompletion) => Promise<boolean>): Promise<boolean>;
}

export type JobHandler<Payload, Settings> = (payload: Payload, context: JobContext<Settings>) => Promise<void>;
