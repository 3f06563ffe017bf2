import { findJob } from '#shared/jobs/registry';
import { PermanentJobError } from '#shared/runtime/errors';
import type { ParsedMessage } from '#shared/runtime/envelope';
import type { EnqueueOptions, JobContext, JobLogger } from '#shared/runtime/job-context';
import { LeaseLostError, type RunCompletion, type RunKey } from '#shared/runtime/run-ledger';
import type { RuntimeDeps } from '#shared/runtime/runtime-deps';
import { describeIssues } from '#shared/runtime/validation-message';
import * as z from '#shared/runtime/zod-mini';

export interface RunState {
  readonly key: RunKey;
  readonly attempt: number;
  readonly fence: number;
  readonly startedAt: number;
  readonly checkpoint?: unknown;
  /** Set once the completion is written by a domain transaction. */
  committed: boolean;
  /** The duration written with a completion that the handler committed itself (completeWith). */
  committedDurationMs?: number;
}

function validated(job: string, payload: unknown): unknown {
  const declaration = findJob(job);
  if (!declaration) throw new PermanentJobError(`Cannot enqueue unknown job "${job}"`);
  const result = z.safeParse(declaration.payload, payload);
  if (!result.success) throw new PermanentJobError(`Refused to enqueue ${job}: ${describeIssues(result.error.issues, payload)}`);
  return result.data;
}

const CONTINUATION = /~(\d+)$/;

/** The continuation of `jobId`: `<root>~<n+1>`, deterministic so a retried hand-over is the same run. */
export function continuationId(jobId: string): string {
  const match = CONTINUATION.exec(jobId);
  const next = match ? Number(match[1]) + 1 : 1;
  return `${jobId.replace(CONTINUATION, '')}~${next}`;
}

export function createJobContext(deps: RuntimeDeps, message: ParsedMessage, run: RunState, logger: JobLogger): JobContext {
  const { job, clock, ledger, queue } = deps;
  const enqueue = async (target: string, payload: unknown, options: EnqueueOptions): Promise<void> => {
    await queue.send(target, [{ id: options.id, payload: validated(target, payload), delaySeconds: options.delaySeconds }]);
  };
  return {
    job: job.name,
    jobId: message.jobId,
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
      await queue.send(target, jobs.map((entry) => ({ id: entry.id, payload: validated(target, entry.payload) })));
    },
    checkpoint: async (state) => {
      if (!(await ledger.checkpoint(run.key, run.fence, state))) throw new LeaseLostError(run.key);
    },
    continueLater: async (state) => {
      await queue.send(job.name, [{ id: continuationId(message.jobId), payload: message.payload, resume: state }]);
    },
    completeWith: async (commit) => {
      const finishedAt = clock.now();
      const completion: RunCompletion = { key: run.key, fence: run.fence, finishedAt, durationMs: finishedAt - run.startedAt };
      run.committed = await commit(completion);
      if (run.committed) run.committedDurationMs = completion.durationMs;
      return run.committed;
    },
  };
}
