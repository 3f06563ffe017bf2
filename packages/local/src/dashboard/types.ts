import type { DstNote } from '@serverless-jobs/runtime/cron';
import type { JobsOps } from '@serverless-jobs/cli/ops';

/** One row of `GET /api/schedules`: the contract the `jobs` CLI reads when it runs against `npm start`. */
export interface ScheduleRow {
  readonly job: string;
  readonly schedule: string;
  readonly expression: string;
  readonly timeZone: string;
  readonly state: 'ENABLED' | 'DISABLED';
  /** The next occurrence on the runner's virtual clock, ISO in UTC; null while paused. */
  readonly next: string | null;
  /** The next few occurrences that fire, ISO in UTC (those of `occurrences` that are not skipped). */
  readonly upcoming: readonly string[];
  /** The next few occurrences, for the page: ISO in UTC, the local wall time, and the DST note and its wording. */
  readonly occurrences: readonly {
    readonly at: string;
    readonly local: string;
    readonly dst?: DstNote;
    readonly note?: string;
  }[];
  readonly via: 'scheduler' | 'rule';
  /** When the schedule was last armed by a resume or an update, ISO on the virtual clock. */
  readonly activeSince: string;
  /** Where a rate schedule counts from (the runner's start, or its last update). */
  readonly rateAnchor: string;
}

/** A one-time delayed send waiting on the virtual clock (`POST /api/send-at`). */
export interface PendingSend {
  readonly id: string;
  readonly job: string;
  /** ISO in UTC, on the virtual clock. */
  readonly at: string;
}

/** One minute of one job's metrics, from the EMF documents its function printed. */
export interface MetricsMinute {
  readonly job: string;
  /** Start of the minute, epoch milliseconds. */
  readonly minute: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly durationP50: number | null;
  readonly durationP95: number | null;
  readonly lagP50: number | null;
  readonly lagP95: number | null;
}

/** What the dashboard needs of the ops core; tests may pass a stand-in with the same methods. */
export type DashboardOps = Pick<
  JobsOps,
  'listJobs' | 'queueCounts' | 'runs' | 'send' | 'peekDlq' | 'redrive' | 'health' | 'pause' | 'resume' | 'cancel'
>;
