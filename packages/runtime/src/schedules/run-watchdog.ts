import type { JobLogger } from '../runtime/job-context.ts';
import type { OccurrenceSender } from './enqueue-occurrence.ts';
import type { WatchReport } from './occurrence-ledger.ts';
import { watchSchedule, type WatchdogOptions } from './watchdog.ts';
import type { WatchedSchedule } from './watched-schedule.ts';

/** The watchdog's figures per watched job, summed over its schedules; one EMF line per job. */
export interface WatchFigures {
  readonly MissedOccurrences: number;
  readonly LateOccurrences: number;
  readonly DuplicateOccurrences: number;
  readonly DstSkippedOccurrences: number;
  readonly PausedOccurrences: number;
  readonly CaughtUpOccurrences: number;
}

export type WatchdogMetrics = (job: string, figures: WatchFigures) => void;

/**
 * Checks every schedule, each on its own: one that fails (a throttled read) does not hide the others' figures.
 * Throws at the end if any failed, so the run is retried; the stored checks are not repeated.
 */
export async function runWatchdog(
  schedules: readonly WatchedSchedule[],
  sender: OccurrenceSender,
  options: WatchdogOptions & { readonly metrics: WatchdogMetrics; readonly logger: JobLogger },
): Promise<WatchReport[]> {
  const reports: WatchReport[] = [];
  const byJob = new Map<string, WatchFigures>();
  const failures: string[] = [];
  for (const s of schedules) {
    try {
      const { report, stored, sendFailures } = await watchSchedule(s, sender, options);
      reports.push(report);
      failures.push(...sendFailures.map((failure) => `${s.job}/${s.schedule}: ${failure}`));
      if (!stored) continue;
      const before = byJob.get(s.job);
      byJob.set(s.job, {
        MissedOccurrences: (before?.MissedOccurrences ?? 0) + report.missed.length,
        LateOccurrences: (before?.LateOccurrences ?? 0) + report.late.length,
        DuplicateOccurrences: (before?.DuplicateOccurrences ?? 0) + report.duplicates,
        DstSkippedOccurrences: (before?.DstSkippedOccurrences ?? 0) + report.dstSkipped.length,
        PausedOccurrences: (before?.PausedOccurrences ?? 0) + report.paused,
        CaughtUpOccurrences: (before?.CaughtUpOccurrences ?? 0) + report.enqueued.length,
      });
      // `watched`, not `job`: every line of the watchdog already carries its own job name under `job`.
      const line = {
        watched: `${s.job}/${s.schedule}`,
        ...report,
        at: new Date(report.at).toISOString(),
        from: new Date(report.from).toISOString(),
        until: new Date(report.until).toISOString(),
      };
      if (report.missed.length > 0) options.logger.error('Missed occurrences: no run in the ledger', line);
      else if (report.late.length > 0 || report.duplicates > 0)
        options.logger.warn('Late or duplicated occurrences', line);
      else options.logger.info('Schedule checked', line);
    } catch (error) {
      failures.push(`${s.job}/${s.schedule}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  for (const [job, figures] of byJob) options.metrics(job, figures);
  if (failures.length > 0)
    throw new Error(`The watchdog could not check ${failures.length} schedule(s): ${failures.join('; ')}`);
  return reports;
}
