import type { DurableContext } from '@aws/durable-execution-sdk-js';
import { jobEnvelope } from '../contracts/envelope.ts';
import type { JobDeclaration } from '../jobs/job-declaration.ts';
import type { Clock } from '../runtime/clock.ts';
import { PermanentJobError } from '../runtime/errors.ts';
import type { EnqueueOptions, JobMetrics } from '../runtime/job-context.ts';
import type { JobQueue } from '../runtime/job-queue.ts';
import { RunCancelledError, type RunKey, RunStatus } from '../runtime/run-ledger.ts';
import type { RuntimeLogger } from '../runtime/runtime-deps.ts';
import { runTrace, tracedLogger } from '../runtime/run-trace.ts';
import { describeIssues } from '../runtime/validation-message.ts';
import * as z from '../runtime/zod-mini.ts';
import { createDurableJobContext, type DurableJobHandler, stepRetryStrategy } from './durable-job-context.ts';
import type { DurableRuns } from './durable-runs.ts';
import type { DurableStart } from './durable-start.ts';
import { failureReason } from './failure-reason.ts';

/** Everything a durable job's execution touches, as ports: testable on the emulators and the local durable runner. */
export interface DurableRunDeps {
  readonly job: JobDeclaration;
  readonly handler: DurableJobHandler<unknown, unknown>;
  readonly settings: unknown;
  readonly runs: DurableRuns;
  readonly queue: JobQueue;
  readonly clock: Clock;
  readonly logger: RuntimeLogger;
  readonly metrics: JobMetrics;
  /** Validates with the target's schema and sends (the queue runtime's enqueue). */
  readonly enqueue: (job: string, payload: unknown, options: EnqueueOptions) => Promise<void>;
  /** How many times faster than the wall clock waits pass. @default 1 */
  readonly timeScale?: number;
}

/** How an execution ended, as its result: the execution of a DEAD run fails instead, with the job's error. */
export interface DurableOutcome {
  readonly status: 'SUCCEEDED' | 'CANCELLED' | 'NOT_OURS';
  /** For NOT_OURS: the run's status when the execution found it not its own. */
  readonly found?: RunStatus;
}

/** The lease of a durable run outlives its execution by this much; an execution that timed out lets it go then. */
const LEASE_GRACE_MS = 60_000;

/**
 * One durable run: takes the run over from the starter (`sj:start`), runs the job's handler with its steps, waits
 * and callbacks, and records how it ended (`sj:complete`, or `sj:failed`: CANCELLED when an operator cancelled it,
 * else DEAD with a DLQ copy that carries the reason). The framework's steps are checkpointed like the job's, so each
 * ledger write and DLQ copy happens once per execution.
 */
export async function runDurable(deps: DurableRunDeps, event: DurableStart, context: DurableContext) {
  const { job, runs, clock, metrics } = deps;
  const key: RunKey = { job: job.name, id: event.jobId };
  const name = event.executionName;
  // Every line carries the run's trace ID, as a queue job's do: the starter passes it in the start event.
  const log = tracedLogger(deps.logger, runTrace(event.traceHeader, undefined)).child({
    jobId: event.jobId,
    execution: name,
  });
  const retryStrategy = stepRetryStrategy(job);
  const leaseMs = (job.durable?.executionTimeoutSeconds ?? job.timeoutSeconds) * 1000 + LEASE_GRACE_MS;
  const adoption = await context.step(
    'sj:start',
    async () => {
      const now = clock.now();
      const adopted = await runs.adopt(key, name, { now, leaseExpiresAt: now + leaseMs });
      if (adopted.adopted) {
        metrics.count('JobStarted');
        log.info('Durable execution took its run', { attempt: adopted.attempt });
      } else log.info('Durable execution found no run of its own to take', { status: adopted.status ?? 'none' });
      return adopted;
    },
    { retryStrategy },
  );
  if (!adoption.adopted) {
    const cancelled = adoption.status === RunStatus.CANCELLED;
    return { status: cancelled ? 'CANCELLED' : 'NOT_OURS', found: adoption.status } satisfies DurableOutcome;
  }
  const ctx = createDurableJobContext(
    {
      job,
      key,
      name,
      attempt: adoption.attempt,
      settings: deps.settings,
      runs,
      logger: log,
      now: () => clock.now(),
      enqueue: deps.enqueue,
      timeScale: deps.timeScale ?? 1,
    },
    context,
  );
  try {
    const payload = z.safeParse(job.payload, event.payload);
    if (!payload.success)
      throw new PermanentJobError(`invalid payload: ${describeIssues(payload.error.issues, event.payload)}`);
    await deps.handler(payload.data, ctx);
  } catch (error) {
    const ended = await context.step(
      'sj:failed',
      async (): Promise<DurableOutcome['status'] | 'DEAD'> => {
        const status = await runs.status(key);
        if (status === RunStatus.CANCELLED) {
          metrics.count('JobCancelled');
          log.info('Run cancelled; its execution stopped');
          return 'CANCELLED';
        }
        const now = clock.now();
        const reason = failureReason(error);
        metrics.count('JobFailed');
        await deps.queue.deadLetter({
          record: {
            messageId: name,
            body: JSON.stringify(
              jobEnvelope(job.name, { id: event.jobId, payload: event.payload, enqueuedAt: event.enqueuedAt }),
            ),
            attributes: {},
          },
          jobId: event.jobId,
          reason,
          attempts: adoption.attempt,
          fence: adoption.fence,
          at: now,
          traceHeader: event.traceHeader,
        });
        try {
          if (!(await runs.kill(key, name, adoption.fence, { now, error: reason })))
            log.warn('Dead-lettered, but the run is no longer this execution’s', { reason });
        } catch (cancel) {
          if (cancel instanceof RunCancelledError) return 'CANCELLED';
          throw cancel;
        }
        metrics.count('JobDeadLettered');
        log.error('Job dead-lettered', { reason });
        return 'DEAD';
      },
      { retryStrategy },
    );
    if (ended === 'DEAD') throw error;
    return { status: ended } satisfies DurableOutcome;
  }
  const completed = await context.step(
    'sj:complete',
    async (): Promise<DurableOutcome['status']> => {
      const finishedAt = clock.now();
      const durationMs = finishedAt - adoption.startedAt;
      try {
        if (!(await runs.succeed(key, name, { finishedAt, durationMs }))) {
          log.warn('Job finished, but the run is no longer this execution’s');
          return 'NOT_OURS';
        }
      } catch (error) {
        if (!(error instanceof RunCancelledError)) throw error;
        metrics.count('JobCancelled');
        log.info('Run cancelled; its outcome is not recorded');
        return 'CANCELLED';
      }
      metrics.count('JobSucceeded');
      metrics.milliseconds('JobDuration', durationMs);
      log.info('Job succeeded', { durationMs });
      return 'SUCCEEDED';
    },
    { retryStrategy },
  );
  return { status: completed } satisfies DurableOutcome;
}
