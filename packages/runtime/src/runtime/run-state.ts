import type { RunKey } from './run-ledger.ts';
import type { RunTrace } from './run-trace.ts';

/** One attempt of a claimed run, as the runtime keeps it while it runs. */
export interface RunState {
  readonly key: RunKey;
  readonly attempt: number;
  readonly fence: number;
  readonly startedAt: number;
  readonly checkpoint?: unknown;
  /** How many times the run was redriven from the DLQ. */
  readonly redrives?: number;
  /** Set once the completion is written by a domain transaction. */
  committed: boolean;
  /** The duration written with a completion that the handler committed itself (completeWith). */
  committedDurationMs?: number;
  /** The run's trace: every job it enqueues carries its header, so that job's run joins the trace. */
  readonly trace?: RunTrace;
  /** When this attempt last wrote its progress (epoch ms). */
  progressWrittenAt?: number;
  /** Set once the run's SUCCEEDED is written, however: its after-success effects run on a finished run. */
  finished?: boolean;
}
