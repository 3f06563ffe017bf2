import type { JobDeclaration } from '../jobs/job-declaration.ts';
import { PermanentJobError } from './errors.ts';
import { groupOf } from './message-group.ts';
import type { ParsedMessage } from '../contracts/envelope.ts';
import type { EnqueueOptions, JobContext, JobLogger } from './job-context.ts';
import { LeaseLostError, type RunCompletion } from './run-ledger.ts';
import { checkedProgress, progressDue } from './run-progress.ts';
import type { RuntimeDeps } from './runtime-deps.ts';
import type { RunState } from './run-state.ts';
import { describeIssues } from './validation-message.ts';
import * as z from './zod-mini.ts';

export type { RunState } from './run-state.ts';

/**
 * Validates with the target's schema: the own job's, or that of a job it declares in `resources.enqueues`; and
 * reads its key where the target declares fairness.
 */
export function validated(
  from: JobDeclaration,
  job: string,
  payload: unknown,
): { payload: unknown; messageGroupId?: string } {
  const declaration = job === from.name ? from : from.resources.enqueueTargets.find((target) => target.name === job);
  if (!declaration) {
    const declared = from.resources.enqueues.join(', ') || 'none';
    throw new PermanentJobError(
      `Cannot enqueue "${job}": ${from.name} declares no such job in resources.enqueues (declared: ${declared})`,
    );
  }
  const result = z.safeParse(declaration.payload, payload);
  if (!result.success)
    throw new PermanentJobError(`Refused to enqueue ${job}: ${describeIssues(result.error.issues, payload)}`);
  return { payload: result.data, messageGroupId: groupOf(declaration, result.data) };
}

const CONTINUATION = /~(\d+)$/;

/** The continuation of `jobId`: `<root>~<n+1>`, deterministic so a retried hand-over is the same run. */
export function continuationId(jobId: string): string {
  const match = CONTINUATION.exec(jobId);
  const next = match ? Number(match[1]) + 1 : 1;
  return `${jobId.replace(CONTINUATION, '')}~${next}`;
}

export function createJobContext(
  deps: RuntimeDeps,
  message: ParsedMessage,
  run: RunState,
  logger: JobLogger,
): JobContext {
  const { job, clock, ledger, queue } = deps;
  const traceHeader = run.trace?.header;
  /**
   * Before a send, which cannot be taken back: the run must still be this attempt's, and not cancelled (a
   * RunCancelledError from the ledger stops it). After success there is nothing left to stop.
   */
  const stillHeld = async (): Promise<void> => {
    if (run.committed || run.finished) return;
    if (!(await ledger.holds(run.key, run.fence, clock.now()))) throw new LeaseLostError(run.key);
  };
  const enqueue = async (target: string, payload: unknown, options: EnqueueOptions): Promise<void> => {
    const valid = validated(job, target, payload);
    await stillHeld();
    await queue.send(target, [{ id: options.id, ...valid, delaySeconds: options.delaySeconds, traceHeader }]);
  };
  return {
    job: job.name,
    jobId: message.jobId,
    traceId: run.trace?.id,
    attempt: run.attempt,
    fence: run.fence,
    settings: deps.settings,
    logger,
    metrics: deps.metrics,
    occurrence: message.occurrence,
    resume: message.resume,
    checkpointed: run.checkpoint,
    now: () => new Date(clock.now()),
    remainingMs: deps.remainingMs,
    enqueue,
    enqueueMany: async (target, jobs) => {
      const entries = jobs.map((entry) => ({ id: entry.id, ...validated(job, target, entry.payload), traceHeader }));
      await stillHeld();
      await queue.send(target, entries);
    },
    checkpoint: async (state) => {
      if (!(await ledger.checkpoint(run.key, run.fence, state))) throw new LeaseLostError(run.key);
    },
    progress: async (done, total, note) => {
      const report = checkedProgress(done, total, note, clock.now());
      if (!progressDue(run.progressWrittenAt, report.at)) return;
      run.progressWrittenAt = report.at;
      if (!(await ledger.progress(run.key, run.fence, report))) throw new LeaseLostError(run.key);
    },
    continueLater: async (state) => {
      await stillHeld();
      await queue.send(job.name, [
        {
          id: continuationId(message.jobId),
          payload: message.payload,
          resume: state,
          traceHeader,
          messageGroupId: groupOf(job, message.payload),
        },
      ]);
    },
    completeWith: async (commit) => {
      const finishedAt = clock.now();
      const completion: RunCompletion = {
        key: run.key,
        fence: run.fence,
        finishedAt,
        durationMs: finishedAt - run.startedAt,
      };
      run.committed = await commit(completion);
      if (run.committed) run.committedDurationMs = completion.durationMs;
      return run.committed;
    },
  };
}
