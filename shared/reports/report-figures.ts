import { type ReportPeriod, utcDaysOverlapping } from '#shared/reports/report-period';
import type { IsoRange, ReportStore } from '#shared/reports/report-store';
import { RunStatus } from '@serverless-jobs/runtime/runtime';
import { SEND_EMAIL } from '#shared/jobs/job-names';

/** The job whose runs are the e-mails sent. */
export const EMAIL_JOB = SEND_EMAIL;

export interface ReportFigures {
  readonly orders: {
    readonly processed: number;
    /** Minor units per ISO currency code; currencies are never added together. */
    readonly revenueCents: Readonly<Record<string, number>>;
  };
  readonly emails: { readonly sent: number; readonly failed: number };
  /** Run count per job, then per status. */
  readonly runs: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

/** [start, end) as BETWEEN bounds: the end moves back a millisecond, so the next period's first instant is out. */
export const isoRangeOf = (period: Pick<ReportPeriod, 'start' | 'end'>): IsoRange => ({
  from: period.start.toISOString(),
  to: new Date(period.end.getTime() - 1).toISOString(),
});

async function tallyOrders(
  store: ReportStore,
  period: ReportPeriod,
  range: IsoRange,
): Promise<ReportFigures['orders']> {
  const revenueCents: Record<string, number> = {};
  let processed = 0;
  for (const day of utcDaysOverlapping(period.start, period.end)) {
    for await (const order of store.processedOrders(day, range)) {
      processed += 1;
      // An order without an amount or currency still counts as processed, but cannot be added to revenue.
      if (order.currency !== undefined && order.totalCents !== undefined) {
        revenueCents[order.currency] = (revenueCents[order.currency] ?? 0) + order.totalCents;
      }
    }
  }
  return { processed, revenueCents };
}

async function tallyRuns(store: ReportStore, job: string, range: IsoRange): Promise<Record<string, number>> {
  const byStatus: Record<string, number> = {};
  for await (const run of store.runs(job, range)) {
    const status = run.status ?? 'UNKNOWN';
    byStatus[status] = (byStatus[status] ?? 0) + 1;
  }
  return byStatus;
}

/** Reads and adds up everything a report shows for `period`. */
export async function gatherFigures(
  store: ReportStore,
  period: ReportPeriod,
  jobs: readonly string[],
): Promise<ReportFigures> {
  const range = isoRangeOf(period);
  const jobNames = [...new Set([...jobs, EMAIL_JOB])];
  const [orders, tallies] = await Promise.all([
    tallyOrders(store, period, range),
    Promise.all(jobNames.map(async (job) => [job, await tallyRuns(store, job, range)] as const)),
  ]);
  const runs = Object.fromEntries(tallies);
  const email = runs[EMAIL_JOB] ?? {};
  return {
    orders,
    emails: {
      sent: email[RunStatus.SUCCEEDED] ?? 0,
      failed: (email[RunStatus.DEAD] ?? 0) + (email[RunStatus.FAILED] ?? 0),
    },
    runs,
  };
}
