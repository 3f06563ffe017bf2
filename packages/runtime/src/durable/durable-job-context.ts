import type { DurableContext, RetryDecision } from '@aws/durable-execution-sdk-js';
import type { CallbackDeclaration, JobDeclaration, JobSchema } from '../jobs/job-declaration.ts';
import { backoffSeconds } from '../runtime/backoff.ts';
import { durationMs } from '../runtime/duration.ts';
import { isPermanent, PermanentJobError } from '../runtime/errors.ts';
import type { EnqueueOptions, JobLogger } from '../runtime/job-context.ts';
import { LeaseLostError, type RunKey } from '../runtime/run-ledger.ts';
import { checkedProgress, progressDue } from '../runtime/run-progress.ts';
import { describeIssues } from '../runtime/validation-message.ts';
import * as z from '../runtime/zod-mini.ts';
import type { DurableRuns } from './durable-runs.ts';

/** How long `ctx.waitForCallback` waits, and who gets the callback ID. */
export interface CallbackWait {
  readonly timeout: string;
  readonly submit?: (callbackId: string) => Promise<void>;
}

/** What a durable job's handler gets besides its payload. Its effects belong in steps. */
export interface DurableJobContext<Settings = unknown> {
  readonly job: string;
  readonly jobId: string;
  /** The starter's attempt that started the execution (1 unless a start failed and was retried). */
  readonly attempt: number;
  readonly settings: Settings;
  /** For lines written inside a step; outside one they are written again on every replay. */
  readonly logger: JobLogger;
  now(): Date;
  /**
   * Runs `fn` once for the run: its result is checkpointed and replayed, never run again once it succeeded. It is
   * retried as the job's `retry` policy says (a PermanentJobError is not), and it does not start once the run was
   * cancelled: the execution stops there, CANCELLED.
   */
  step<T>(name: string, fn: () => Promise<T>): Promise<T>;
  /** Waits `duration` (`30s`, `15m`, `24h`, `7d`) at no cost: the function is not running meanwhile. */
  wait(name: string, duration: string): Promise<void>;
  /**
   * Waits for a callback from outside (`jobs callback <job> <job ID> --data …`), up to `timeout`; returns its data
   * (JSON-parsed when it is JSON). Throws CallbackTimeoutError after the timeout and CallbackError when it is sent
   * as a failure (`--fail`). `submit` gets the callback ID, in a step, to hand to whoever will answer.
   * Given a declared callback (`durable.callbacks`, or a name it declares), the data is parsed with its schema, and
   * data that does not match fails the run with a PermanentJobError that names the field and the value.
   */
  waitForCallback<S extends JobSchema>(callback: CallbackDeclaration<S>, options: CallbackWait): Promise<z.output<S>>;
  waitForCallback(name: string, options: CallbackWait): Promise<unknown>;
  /** Enqueues a job in a step of its own: once, whatever replays. */
  enqueue(job: string, payload: unknown, options: EnqueueOptions): Promise<void>;
  /** As a queue job's `ctx.progress`: at most one write per 5 seconds. */
  progress(done: number, total: number, note?: string): Promise<void>;
}

export type DurableJobHandler<Payload, Settings> = (
  payload: Payload,
  context: DurableJobContext<Settings>,
) => Promise<void>;

/** The framework's own steps are named `sj:…`; a job's may not be. */
const RESERVED = /^sj:/;

export interface DurableContextDeps {
  readonly job: JobDeclaration;
  readonly key: RunKey;
  readonly name: string;
  readonly attempt: number;
  readonly settings: unknown;
  readonly runs: DurableRuns;
  readonly logger: JobLogger;
  readonly now: () => number;
  /** Sends through the job's queue port, its schema checked. */
  readonly enqueue: (job: string, payload: unknown, options: EnqueueOptions) => Promise<void>;
  /** How many times faster than the wall clock waits pass: 1 on AWS, the clock speed locally. */
  readonly timeScale: number;
}

/** Seconds for the SDK: at least 1, a whole number, scaled by the local runner's clock speed. */
function scaledSeconds(what: string, duration: string, scale: number): number {
  const ms = durationMs(duration);
  if (ms === undefined || ms <= 0)
    throw new PermanentJobError(
      `${what} must be a duration such as 30s, 15m, 24h or 7d (given ${JSON.stringify(duration)})`,
    );
  return Math.max(1, Math.ceil(ms / 1000 / scale));
}

function checkName(what: string, name: string): void {
  if (typeof name !== 'string' || name.length === 0 || RESERVED.test(name))
    throw new PermanentJobError(
      `${what}: the name must be a non-empty string not starting with "sj:" (given ${JSON.stringify(name)})`,
    );
}

const parsed = (data: unknown): unknown => {
  if (typeof data !== 'string') return data;
  try {
    return JSON.parse(data) as unknown;
  } catch {
    return data;
  }
};

/**
 * The schema a callback's data is parsed with: the one the job declares under its name. A declaration the job
 * does not declare is refused, as `jobs-cli callback` could not check its data.
 */
function callbackSchema(job: JobDeclaration, callback: CallbackDeclaration | string): JobSchema | undefined {
  const name = typeof callback === 'string' ? callback : callback.name;
  const declared = job.durable?.callbacks.find((c) => c.name === name);
  if (typeof callback !== 'string' && declared?.data !== callback.data)
    throw new PermanentJobError(
      declared
        ? `ctx.waitForCallback: ${job.name} declares callback "${name}" with another schema than the one given ` +
            '(give the declared one, which jobs-cli callback checks data against)'
        : `ctx.waitForCallback: ${job.name} declares no callback "${name}" in its durable.callbacks ` +
            '(declare the one given, so that jobs-cli callback checks its data)',
    );
  return declared?.data;
}

function checkedData(name: string, schema: JobSchema | undefined, data: unknown): unknown {
  if (!schema) return data;
  const result = z.safeParse(schema, data);
  if (!result.success) throw new PermanentJobError(`callback "${name}": ${describeIssues(result.error.issues, data)}`);
  return result.data;
}

/** The job's retry policy as the SDK's step retry strategy; a permanent failure or a lost run is not retried. */
export function stepRetryStrategy(job: JobDeclaration) {
  return (error: Error, attemptCount: number): RetryDecision => {
    if (isPermanent(error) || error instanceof LeaseLostError || attemptCount >= job.retry.attempts)
      return { shouldRetry: false };
    return { shouldRetry: true, delay: { seconds: Math.max(1, backoffSeconds(job.retry.backoff, attemptCount)) } };
  };
}

export function createDurableJobContext(deps: DurableContextDeps, context: DurableContext): DurableJobContext {
  const { key, name, runs } = deps;
  const retryStrategy = stepRetryStrategy(deps.job);
  let progressWrittenAt: number | undefined;
  const stillHeld = async (): Promise<void> => {
    if (!(await runs.holds(key, name, deps.now()))) throw new LeaseLostError(key);
  };
  const step = <T>(stepName: string, fn: () => Promise<T>): Promise<T> => {
    checkName('ctx.step', stepName);
    return context.step(
      stepName,
      async () => {
        await stillHeld();
        return fn();
      },
      { retryStrategy },
    );
  };
  return {
    job: deps.job.name,
    jobId: key.id,
    attempt: deps.attempt,
    settings: deps.settings,
    logger: deps.logger,
    now: () => new Date(deps.now()),
    step,
    wait: async (waitName, duration) => {
      checkName('ctx.wait', waitName);
      await context.wait(waitName, { seconds: scaledSeconds(`ctx.wait("${waitName}")`, duration, deps.timeScale) });
    },
    waitForCallback: async (callback: CallbackDeclaration | string, options: CallbackWait) => {
      const callbackName = typeof callback === 'string' ? callback : callback.name;
      checkName('ctx.waitForCallback', callbackName);
      const schema = callbackSchema(deps.job, callback);
      const seconds = scaledSeconds(`ctx.waitForCallback("${callbackName}") timeout`, options.timeout, deps.timeScale);
      try {
        const data = await context.waitForCallback(
          callbackName,
          async (callbackId) => {
            await stillHeld();
            await runs.callback(key, name, { name: callbackName, id: callbackId, since: deps.now() });
            await options.submit?.(callbackId);
          },
          { timeout: { seconds } },
        );
        return checkedData(callbackName, schema, parsed(data));
      } finally {
        await context.step(
          `sj:callback-done:${callbackName}`,
          async () => {
            await runs.callback(key, name, undefined);
          },
          { retryStrategy },
        );
      }
    },
    enqueue: (job, payload, options) => step(`enqueue:${job}:${options.id}`, () => deps.enqueue(job, payload, options)),
    progress: async (done, total, note) => {
      const report = checkedProgress(done, total, note, deps.now());
      if (!progressDue(progressWrittenAt, report.at)) return;
      progressWrittenAt = report.at;
      if (!(await runs.progress(key, name, report))) throw new LeaseLostError(key);
    },
  };
}
