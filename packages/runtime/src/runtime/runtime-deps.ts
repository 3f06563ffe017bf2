import type { ParsedMessage } from '../contracts/envelope.ts';
import type { JobDeclaration } from '../jobs/job-declaration.ts';
import type { RunState } from './run-state.ts';
import type { Clock } from './clock.ts';
import type { JobHandler, JobMetrics, RuntimeLogger } from './job-context.ts';
import type { JobQueue } from './job-queue.ts';
import type { RunLedger } from './run-ledger.ts';

export type { RuntimeLogger } from './job-context.ts';

/** Everything the job runtime touches, as ports, so that each branch is testable with an injected clock. */
export interface RuntimeDeps {
  readonly job: JobDeclaration;
  readonly handler: JobHandler<unknown, unknown>;
  /**
   * Effects that must follow a successful run but cannot join its transaction (an enqueue). Run after the
   * completion is written, and again on every redelivery of the SUCCEEDED run until the message is
   * acknowledged, so a crash between the commit and the effect loses nothing. Must be idempotent.
   */
  readonly afterSuccess?: JobHandler<unknown, unknown>;
  /**
   * A durable job's starter: instead of running the handler, starts the run's durable execution and hands the run
   * over to it (false: the run is no longer this attempt's). The run stays RUNNING, owned by the execution.
   * @default none: a queue job
   */
  readonly handOver?: (run: RunState, payload: unknown, message: ParsedMessage) => Promise<boolean>;
  readonly settings: unknown;
  readonly ledger: RunLedger;
  readonly queue: JobQueue;
  readonly clock: Clock;
  readonly logger: RuntimeLogger;
  readonly metrics: JobMetrics;
  /** Milliseconds left in this invocation. */
  readonly remainingMs: () => number;
  /**
   * The invocation's X-Ray trace header (`_X_AMZN_TRACE_ID` on Lambda): the trace of a run whose message came
   * without one. @default none
   */
  readonly traceHeader?: () => string | undefined;
  /** @default Math.random */
  readonly random?: () => number;
  /** Added to the invocation's remaining time to make the lease. @default 30000 */
  readonly leaseGraceMs?: number;
  /**
   * A record is not started with less time than this left; it is handed back unspent. @default max(2000, 10%
   * of the timeout)
   */
  readonly minRemainingMs?: number;
}

export const DAY_MS = 86_400_000;

export function minRemainingMsOf(deps: RuntimeDeps): number {
  return deps.minRemainingMs ?? Math.max(2_000, deps.job.timeoutSeconds * 100);
}
