import { PermanentJobError } from './errors.ts';
import type { RunProgress } from './run-ledger.ts';

/** At most one progress write per run in this many milliseconds: a job may report on every item it handles. */
export const PROGRESS_INTERVAL_MS = 5_000;

/** A note longer than this is cut: it is shown in one table cell. */
const MAX_NOTE_LENGTH = 200;

const shown = (value: unknown): string => (typeof value === 'number' ? String(value) : JSON.stringify(value));

/**
 * A `ctx.progress` report, checked. A bad value is a bug in the job that a retry cannot fix, so it fails the run for
 * good (to the DLQ), naming the argument and the value given.
 */
export function checkedProgress(done: unknown, total: unknown, note: unknown, at: number): RunProgress {
  for (const [name, value] of [
    ['done', done],
    ['total', total],
  ] as const) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
      throw new PermanentJobError(
        `ctx.progress: ${name} must be a finite number of at least 0 (given ${shown(value)})`,
      );
  }
  if (note !== undefined && typeof note !== 'string')
    throw new PermanentJobError(`ctx.progress: note must be a string (given ${shown(note)})`);
  return {
    done: done as number,
    total: total as number,
    at,
    ...(note === undefined ? {} : { note: note.slice(0, MAX_NOTE_LENGTH) }),
  };
}

/** Whether a report at `at` is written: the run's first, or the first after the interval since the last write. */
export const progressDue = (lastWrittenAt: number | undefined, at: number): boolean =>
  lastWrittenAt === undefined || at - lastWrittenAt >= PROGRESS_INTERVAL_MS;
