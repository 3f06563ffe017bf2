import type { RunStatus, ScheduledOccurrence } from '../runtime/run-ledger.ts';

/** What the watchdog reads of one occurrence's run. */
export interface OccurrenceRecord {
  readonly status: RunStatus;
  /** When its message arrived (SQS SentTimestamp, or the envelope's enqueuedAt). */
  readonly enqueuedAt?: number;
  /** Deliveries after the first. */
  readonly duplicates: number;
}

/** A span in which the schedule was paused through `jobs pause` or the dashboard; `to` is absent while it still is. */
export interface PauseWindow {
  readonly from: number;
  readonly to?: number;
}

/** One watchdog check of one schedule, as stored and as published. Occurrences are their job IDs. */
export interface WatchReport {
  readonly at: number;
  /** The occurrences checked: after `from`, up to and including `until`. */
  readonly from: number;
  readonly until: number;
  readonly expected: number;
  readonly missed: readonly string[];
  readonly late: readonly string[];
  /** Deliveries beyond the first, summed. */
  readonly duplicates: number;
  readonly duplicated: readonly string[];
  /** Skipped by a DST gap (EventBridge's behaviour), not missed. */
  readonly dstSkipped: readonly string[];
  readonly paused: number;
  /** Enqueued now: catch-up of missed ones, and DST-shifted ones. */
  readonly enqueued: readonly string[];
  /**
   * Missed ones a `latest` catch-up passed over: never enqueued by catch-up, though a late message of
   * theirs still runs.
   */
  readonly superseded: readonly string[];
}

/** The watchdog's memory of one schedule: `#schedule/<job>/<schedule>` in the ledger table. */
export interface ScheduleWatchState {
  readonly checkedUntil?: number;
  /** The first check; catch-up never reaches before it (occurrences before the watchdog existed are not owed). */
  readonly watchedSince?: number;
  readonly pausedSince?: number;
  readonly pauses: readonly PauseWindow[];
  readonly last?: WatchReport;
  /** A change made with `jobs schedule` since the deploy: what the schedule runs on now, and what it replaced. */
  readonly live?: ScheduleChange;
  /** Occurrences a `latest` catch-up passed over, newest last: later checks do not catch them up either. */
  readonly superseded: readonly string[];
  /** The most recent missed, late and duplicated occurrences, newest last, for health. */
  readonly recent: {
    readonly missed: readonly string[];
    readonly late: readonly string[];
    readonly duplicated: readonly string[];
  };
}

export interface ScheduleChange {
  readonly expression: string;
  readonly timeZone: string;
  /**
   * The expression and zone it replaced; the watchdog follows the change only while its own (deployed) ones are these.
   */
  readonly replaces: { readonly expression: string; readonly timeZone: string };
  readonly since: number;
}

/** The scheduled side of the run ledger, in the same table: occurrences are runs keyed `<job>/<schedule>@<time>`. */
export interface OccurrenceLedger {
  state(job: string, schedule: string): Promise<ScheduleWatchState>;
  /** The runs of these job IDs that exist. */
  records(job: string, ids: readonly string[]): Promise<Map<string, OccurrenceRecord>>;
  /** The newest occurrence time of a schedule in the ledger (a rate schedule's anchor). */
  latestOccurrence(job: string, schedule: string): Promise<number | undefined>;
  /** Stores the check, only if no other check moved `checkedUntil` from `expected` meanwhile. */
  advance(job: string, schedule: string, expected: number | undefined, report: WatchReport): Promise<boolean>;
  /** Writes a PENDING run for an occurrence that has none; false if it has one (so it is enqueued at most once). */
  markPending(job: string, occurrence: ScheduledOccurrence, marker: OccurrenceMarker): Promise<boolean>;
  /**
   * Takes back the PENDING run that this marker wrote, if it is still PENDING, so the occurrence can be enqueued again.
   */
  unmarkPending(job: string, occurrence: ScheduledOccurrence, marker: OccurrenceMarker): Promise<void>;
  pause(job: string, schedule: string, now: number): Promise<void>;
  /** Records a `jobs schedule` change, or clears it (`undefined`) once the deployed schedule is found in force. */
  recordChange(job: string, schedule: string, change: ScheduleChange | undefined): Promise<void>;
  resume(job: string, schedule: string, now: number): Promise<void>;
}

export interface OccurrenceMarker {
  readonly now: number;
  readonly reason: string;
  /** Epoch ms the run record expires (the job's ledger retention). */
  readonly expiresAt: number;
}

/** EventBridge Scheduler's `<aws.scheduler.scheduled-time>`: ISO 8601 in UTC, to the second. */
export const occurrenceTime = (at: number): string => new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z');
