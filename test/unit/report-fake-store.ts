import type {
  IsoRange,
  PreviousReport,
  ProcessedOrder,
  ReportStore,
  RunRecord,
  StoredReport,
} from '#shared/reports/report-store';

export interface FakeOrder extends Omit<ProcessedOrder, 'orderId'> {
  readonly orderId?: string;
  /** @default the first ten characters of `processedAt`, as a writer that slices its own time stores it */
  readonly processedDay?: string;
}

export interface FakeRun extends RunRecord {
  readonly job: string;
  readonly createdAt: string;
}

const within = (value: string, range: IsoRange): boolean => value >= range.from && value <= range.to;

/**
 * Orders and runs in memory, filtered the way the indexes' key conditions filter them (strings, not instants),
 * and reports kept the way the table keeps them: the latest per ID, written only over the version expected.
 */
export class InMemoryReportStore implements ReportStore {
  /** Every write, in order. */
  readonly saved: StoredReport[] = [];
  readonly orderDaysQueried: string[] = [];
  readonly reports = new Map<string, StoredReport>();

  constructor(
    private readonly orders: readonly FakeOrder[] = [],
    private readonly ledger: readonly FakeRun[] = [],
  ) {}

  async *processedOrders(processedDay: string, range?: IsoRange): AsyncIterable<ProcessedOrder> {
    this.orderDaysQueried.push(processedDay);
    for (const [index, order] of this.orders.entries()) {
      const day = order.processedDay ?? order.processedAt.slice(0, 10);
      if (day !== processedDay || (range && !within(order.processedAt, range))) continue;
      yield { ...order, orderId: order.orderId ?? `order-${index}` };
    }
  }

  async *runs(job: string, range: IsoRange): AsyncIterable<RunRecord> {
    yield* this.ledger.filter((run) => run.job === job && within(run.createdAt, range));
  }

  async load(reportId: string): Promise<PreviousReport | undefined> {
    const report = this.reports.get(reportId);
    // Through JSON, as the table stores the figures.
    return report && { ...report, figures: JSON.parse(JSON.stringify(report.figures)) as unknown };
  }

  async save(report: StoredReport, replacing: number | undefined): Promise<void> {
    if (this.reports.get(report.reportId)?.version !== replacing) throw new Error('stored by another run');
    this.reports.set(report.reportId, report);
    this.saved.push(report);
  }

  async markMailed(reportId: string, version: number): Promise<void> {
    const report = this.reports.get(reportId);
    if (report?.version === version) this.reports.set(reportId, { ...report, mailedVersion: version });
  }
}
