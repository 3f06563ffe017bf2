import type { ReportSettings } from '#shared/jobs/report-settings';
import { reportedJobs } from '#shared/jobs/job-names';
import { renderReportEmail } from '#shared/reports/report-email';
import { EMAIL_JOB, gatherFigures, type UnreadableOrder } from '#shared/reports/report-figures';
import { type ReportKind, reportIdOf, resolvePeriod } from '#shared/reports/report-period';
import type { PreviousReport, ReportStore, StoredReport } from '#shared/reports/report-store';
import type { JobContext, JobLogger } from '@serverless-jobs/runtime/runtime';

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

/**
 * The e-mail's job ID: one per report version and recipient, so a retried run never sends it twice, and a
 * correction is not taken for a duplicate of the version it corrects.
 */
export const reportEmailId = (reportId: string, version: number, recipient: string): string =>
  `report/${reportId}/v${version}/${recipient}`;

/** JSON with every object's keys sorted: the same figures compare equal whatever order they were added in. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, entry]) => `${JSON.stringify(key)}:${canonicalJson(entry)}`).join(',')}}`;
}

/**
 * The version to keep: the stored one when its figures are the same, since that is what was (or is being)
 * mailed; otherwise a new one, one higher, which is mailed as a correction.
 */
function nextVersion(
  previous: PreviousReport | undefined,
  draft: Omit<StoredReport, 'version' | 'mailedVersion'>,
): { readonly report: StoredReport; readonly changed: boolean } {
  if (previous && canonicalJson(previous.figures) === canonicalJson(draft.figures)) {
    const { version, createdAt, mailedVersion } = previous;
    return { report: { ...draft, version, createdAt, mailedVersion }, changed: false };
  }
  return { report: { ...draft, version: (previous?.version ?? 0) + 1 }, changed: true };
}

function logUnreadable(logger: JobLogger, reportId: string, listed: readonly UnreadableOrder[], count: number): void {
  for (const order of listed) {
    logger.warn('Order time unreadable: counted apart, in no period', { reportId, ...order });
  }
  if (count > listed.length) {
    logger.warn('More order times unreadable than listed', { reportId, unreadable: count, listed: listed.length });
  }
}

/**
 * Builds the report for the period before the schedule occurrence (or before now, for a manual run), stores
 * it, and e-mails it to every recipient through the send-email job. A rerun with other figures stores and
 * mails a new version, marked as a correction; one with the same figures does neither.
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
  const reportId = reportIdOf(period);
  const { figures, unreadable } = await gatherFigures(store, period, options.jobs ?? reportedJobs);
  logUnreadable(ctx.logger, reportId, unreadable, figures.orders.unreadable);
  const previous = await store.load(reportId);
  const { report, changed } = nextVersion(previous, {
    reportId,
    kind: period.kind,
    label: period.label,
    timeZone: period.timeZone,
    periodStart: period.start.toISOString(),
    periodEnd: period.end.toISOString(),
    figures,
    createdAt: ctx.now().toISOString(),
  });
  if (changed) await store.save(report, previous?.version);
  if (report.mailedVersion === report.version) {
    ctx.logger.info('Report unchanged and e-mailed before; not e-mailed again', { reportId, version: report.version });
    return report;
  }
  const email = renderReportEmail(report);
  // An earlier attempt may have enqueued some before it failed: the same IDs make each one run.
  for (const recipient of settings.recipients) {
    await ctx.enqueue(
      EMAIL_JOB,
      { to: recipient, ...email },
      { id: reportEmailId(reportId, report.version, recipient) },
    );
  }
  await store.markMailed(reportId, report.version);
  ctx.logger.info('Report stored and e-mailed', {
    reportId,
    version: report.version,
    recipients: settings.recipients.length,
    figures,
  });
  return { ...report, mailedVersion: report.version };
}
