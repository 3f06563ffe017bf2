import { orderReadsOf, parseOrderTime } from '#shared/reports/order-time';
import type { ReportPeriod } from '#shared/reports/report-period';
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
    /** Orders filed under a day the period overlaps in UTC whose `processedAt` cannot be read; in no other figure. */
    readonly unreadable: number;
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

/** An order whose time could not be read, for the log. */
export interface UnreadableOrder {
  readonly orderId: string;
  readonly processedDay: string;
  readonly processedAt: string;
}

/** How many unreadable orders a report names; it counts them all, but a month of bad data is no log line each. */
export const UNREADABLE_LISTED = 100;

interface OrderTally {
  readonly orders: ReportFigures['orders'];
  readonly unreadable: readonly UnreadableOrder[];
}

async function tallyOrders(store: ReportStore, period: ReportPeriod): Promise<OrderTally> {
  const revenueCents: Record<string, number> = {};
  const unreadable: UnreadableOrder[] = [];
  let processed = 0;
  let unreadableCount = 0;
  for (const read of orderReadsOf(period)) {
    for await (const order of store.processedOrders(read.processedDay, read.range)) {
      const instant = parseOrderTime(order.processedAt);
      if (!instant) {
        // Only the reports that read this day whole count it, so a neighbour's partial read adds nothing.
        if (!read.own) continue;
        unreadableCount += 1;
        if (unreadable.length < UNREADABLE_LISTED) {
          unreadable.push({ orderId: order.orderId, processedDay: read.processedDay, processedAt: order.processedAt });
        }
        continue;
      }
      if (instant < period.start || instant >= period.end) continue;
      processed += 1;
      // An order without an amount or currency still counts as processed, but cannot be added to revenue.
      if (order.currency !== undefined && order.totalCents !== undefined) {
        revenueCents[order.currency] = (revenueCents[order.currency] ?? 0) + order.totalCents;
      }
    }
  }
  return { orders: { processed, revenueCents, unreadable: unreadableCount }, unreadable };
}

async function tallyRuns(store: ReportStore, job: string, range: IsoRange): Promise<Record<string, number>> {
  const byStatus: Record<string, number> = {};
  for await (const run of store.runs(job, range)) {
    const status = run.status ?? 'UNKNOWN';
    byStatus[status] = (byStatus[status] ?? 0) + 1;
  }
  return byStatus;
}

export interface GatheredFigures {
  readonly figures: ReportFigures;
  /** The first UNREADABLE_LISTED of `figures.orders.unreadable`. */
  readonly unreadable: readonly UnreadableOrder[];
}

/** Reads and adds up everything a report shows for `period`. */
export async function gatherFigures(
  store: ReportStore,
  period: ReportPeriod,
  jobs: readonly string[],
): Promise<GatheredFigures> {
  // The ledger's times are the framework's own, always `toISOString()`, so a string range is exact there.
  const range = isoRangeOf(period);
  const jobNames = [...new Set([...jobs, EMAIL_JOB])];
  const [orders, tallies] = await Promise.all([
    tallyOrders(store, period),
    Promise.all(jobNames.map(async (job) => [job, await tallyRuns(store, job, range)] as const)),
  ]);
  const runs = Object.fromEntries(tallies);
  const email = runs[EMAIL_JOB] ?? {};
  const figures: ReportFigures = {
    orders: orders.orders,
    emails: {
      sent: email[RunStatus.SUCCEEDED] ?? 0,
      failed: (email[RunStatus.DEAD] ?? 0) + (email[RunStatus.FAILED] ?? 0),
    },
    runs,
  };
  return { figures, unreadable: orders.unreadable };
}
