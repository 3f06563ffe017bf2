import type { RunKey, RunProgress, RunStatus } from '../runtime/run-ledger.ts';

/** A callback the execution waits for: `jobs callback <job> <job ID>` completes it. */
export interface PendingCallback {
  readonly name: string;
  readonly id: string;
  /** Epoch ms since when it waits. */
  readonly since: number;
}

export type DurableAdoption =
  | { readonly adopted: true; readonly attempt: number; readonly fence: number; readonly startedAt: number }
  /** The run is not this execution's to run: cancelled, finished, or another execution's. */
  | { readonly adopted: false; readonly status: RunStatus | undefined };

/**
 * A durable job's run, as its execution sees it. Every write but `handOver` holds only while the run is RUNNING
 * and this execution's; each returns false otherwise and throws RunCancelledError once an operator cancelled it.
 */
export interface DurableRuns {
  /** The starter's write, fenced by its claim: the run now belongs to execution `name` until `leaseExpiresAt`. */
  handOver(
    key: RunKey,
    fence: number,
    to: { readonly now: number; readonly leaseExpiresAt: number; readonly name: string; readonly arn?: string },
  ): Promise<boolean>;
  /** The execution's first step: takes the run over (again, on a replay) if it is RUNNING and no other's. */
  adopt(
    key: RunKey,
    name: string,
    at: { readonly now: number; readonly leaseExpiresAt: number },
  ): Promise<DurableAdoption>;
  /** Before each step: whether the run is still this execution's. */
  holds(key: RunKey, name: string, now: number): Promise<boolean>;
  /** Records the callback the execution waits for, or clears it once it came. */
  callback(key: RunKey, name: string, callback: PendingCallback | undefined): Promise<boolean>;
  progress(key: RunKey, name: string, progress: RunProgress): Promise<boolean>;
  succeed(
    key: RunKey,
    name: string,
    at: { readonly finishedAt: number; readonly durationMs: number },
  ): Promise<boolean>;
  kill(
    key: RunKey,
    name: string,
    fence: number,
    failure: { readonly now: number; readonly error: string },
  ): Promise<boolean>;
  status(key: RunKey): Promise<RunStatus | undefined>;
}
