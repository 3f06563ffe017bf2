import type { ReportSettings } from '#shared/jobs/report-settings';
import { reportedJobs } from '#shared/jobs/job-names';
import { renderReportEmail } from '#shared/reports/report-email';
import { EMAIL_JOB, gatherFigures } from '#shared/reports/report-figures';
import { type ReportKind, reportIdOf, resolvePeriod } from '#shared/reports/report-period';
import type { ReportStore, StoredReport } from '#shared/reports/report-store';
import type { JobContext } from '@serverless-jobs/runtime/runtime';

export type { ReportSettings };

export interface ReportRequest {
  readonly kind: ReportKind;
  /** The payload's `date` (daily) or `month` (monthly). */
  readonly explicit?: string;
}

export interface ReportOptions {
  /** Jobs whose runs the report counts. @default every job of the app, and the watchdog */
  readonly jobs?: readonly string[];
}

/** The e-mail's job ID: one per report and recipient, so a retried report never sends it twice. */
export const reportEmailId = (reportId: string, recipient: string): string => `report/${reportId}/${recipient}`;

/**
 * Builds the report for the period before the schedule occurrence (or before now, for a manual run),
 * stores it, and e-mails it to every recipient through the send-email job.
 */
export async function runReport(
  request: ReportRequest,
  ctx: JobContext<ReportSettings>,
  store: ReportStore,
  options: ReportOptions = {},
): Promise<StoredReport> {
  const { occurrence, settings } = ctx;
  const period = resolvePeriod({
    kind: request.kind,
    explicit: request.explicit,
    // A late or retried occurrence still reports on the period it was scheduled for.
    reference: occurrence ? new Date(occurrence.time) : ctx.now(),
    timeZone: occurrence?.timeZone ?? settings.timeZone,
  });
  const figures = await gatherFigures(store, period, options.jobs ?? reportedJobs);
  const report: StoredReport = {
    reportId: reportIdOf(period),
    kind: period.kind,
    label: period.label,
    timeZone: period.timeZone,
    periodStart: period.start.toISOString(),
    periodEnd: period.end.toISOString(),
    figures,
    createdAt: ctx.now().toISOString(),
  };
  await store.save(report);
  const email = renderReportEmail(report);
  for (const recipient of settings.recipients) {
    await ctx.enqueue(EMAIL_JOB, { to: recipient, ...email }, { id: reportEmailId(report.reportId, recipient) });
  }
  ctx.logger.info('Report stored and e-mailed', {
    reportId: report.reportId,
    recipients: settings.recipients.length,
    figures,
  });
  return report;
}
