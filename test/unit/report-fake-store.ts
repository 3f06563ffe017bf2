import type { IsoRange, ProcessedOrder, ReportStore, RunRecord, StoredReport } from '#shared/reports/report-store';

export interface FakeOrder extends ProcessedOrder {
  readonly processedAt: string;
}

export interface FakeRun extends RunRecord {
  readonly job: string;
  readonly createdAt: string;
}

const within = (value: string, range: IsoRange): boolean => value >= range.from && value <= range.to;

/** Orders and runs in memory, filtered the way the indexes' key conditions filter them. */
export class InMemoryReportStore implements ReportStore {
  readonly saved: StoredReport[] = [];
  readonly orderDaysQueried: string[] = [];

  constructor(
    private readonly orders: readonly FakeOrder[] = [],
    private readonly ledger: readonly FakeRun[] = [],
  ) {}

  async *processedOrders(utcDay: string, range: IsoRange): AsyncIterable<ProcessedOrder> {
    this.orderDaysQueried.push(utcDay);
    yield* this.orders.filter((order) => order.processedAt.startsWith(utcDay) && within(order.processedAt, range));
  }

  async *runs(job: string, range: IsoRange): AsyncIterable<RunRecord> {
    yield* this.ledger.filter((run) => run.job === job && within(run.createdAt, range));
  }

  async save(report: StoredReport): Promise<void> {
    this.saved.push(report);
  }
}
