import type { EnqueueOptions, JobContext, JobLogger } from '@serverless-jobs/runtime/runtime';
import type { ScheduledOccurrence } from '@serverless-jobs/runtime/runtime';
import { FakeClock } from '#test/helpers/fake-clock';
import { RecordingMetrics } from '#test/helpers/recording-metrics';

export interface EnqueuedJob {
  readonly job: string;
  readonly payload: unknown;
  readonly id: string;
  readonly delaySeconds?: number;
}

export interface LogLine {
  readonly level: keyof JobLogger;
  readonly message: string;
  readonly extra: readonly Record<string, unknown>[];
}

export interface FakeJobContextOptions<Settings> {
  readonly settings: Settings;
  readonly job?: string;
  readonly jobId?: string;
  readonly attempt?: number;
  readonly clock?: FakeClock;
  /** Milliseconds left, asked on every call; the default never runs out. */
  readonly remainingMs?: () => number;
  readonly occurrence?: ScheduledOccurrence;
  readonly resume?: unknown;
  readonly checkpointed?: unknown;
}

/** A JobContext plus everything the handler did through it, for a test to assert. */
export interface FakeJobContext<Settings> {
  readonly ctx: JobContext<Settings>;
  readonly clock: FakeClock;
  readonly metrics: RecordingMetrics;
  readonly enqueued: EnqueuedJob[];
  readonly checkpoints: unknown[];
  readonly continuations: unknown[];
  readonly logs: LogLine[];
}

/** Runs `remaining` calls with plenty of time, then reports `low` ms left: a run that nears its timeout. */
export function runsOutAfter(remaining: number, low = 1_000): () => number {
  let calls = 0;
  return () => (calls++ < remaining ? 600_000 : low);
}

// The runtime stores checkpoints and continuation state as JSON; the fake makes the same round trip.
const viaJson = (state: unknown): unknown => JSON.parse(JSON.stringify(state)) as unknown;

export function fakeJobContext<Settings>(options: FakeJobContextOptions<Settings>): FakeJobContext<Settings> {
  const clock = options.clock ?? new FakeClock();
  const metrics = new RecordingMetrics();
  const enqueued: EnqueuedJob[] = [];
  const checkpoints: unknown[] = [];
  const continuations: unknown[] = [];
  const logs: LogLine[] = [];
  const log =
    (level: keyof JobLogger) =>
    (message: string, ...extra: Record<string, unknown>[]): void => {
      logs.push({ level, message, extra });
    };
  const enqueue = async (job: string, payload: unknown, enqueueOptions: EnqueueOptions): Promise<void> => {
    enqueued.push({ job, payload, id: enqueueOptions.id, delaySeconds: enqueueOptions.delaySeconds });
  };
  const ctx: JobContext<Settings> = {
    job: options.job ?? 'test-job',
    jobId: options.jobId ?? 'run-1',
    attempt: options.attempt ?? 1,
    fence: 1,
    settings: options.settings,
    logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
    metrics,
    occurrence: options.occurrence,
    resume: options.resume,
    checkpointed: options.checkpointed,
    now: () => new Date(clock.now()),
    remainingMs: options.remainingMs ?? (() => 600_000),
    enqueue,
    enqueueMany: async (job, jobs) => {
      for (const entry of jobs) await enqueue(job, entry.payload, { id: entry.id });
    },
    checkpoint: async (state) => {
      checkpoints.push(viaJson(state));
    },
    continueLater: async (state) => {
      continuations.push(viaJson(state));
    },
    progress: async () => {},
    completeWith: async () => false,
  };
  return { ctx, clock, metrics, enqueued, checkpoints, continuations, logs };
}
