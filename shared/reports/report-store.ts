import type { ReportFigures } from '#shared/reports/report-figures';

/** Inclusive ISO bounds, as DynamoDB's BETWEEN takes them. */
export interface IsoRange {
  readonly from: string;
  readonly to: string;
}

export interface ProcessedOrder {
  readonly totalCents?: number;
  readonly currency?: string;
}

export interface RunRecord {
  readonly status?: string;
}

/** One report as stored: one item per period. */
export interface StoredReport {
  /** `daily/yyyy-mm-dd` or `monthly/yyyy-mm`. */
  readonly reportId: string;
  readonly kind: string;
  readonly label: string;
  readonly timeZone: string;
  /** ISO, inclusive. */
  readonly periodStart: string;
  /** ISO, exclusive. */
  readonly periodEnd: string;
  readonly figures: ReportFigures;
  readonly createdAt: string;
}

/**
 * What the report logic reads and writes. Reads are async iterables so the adapter pages and the
 * logic aggregates as it goes; a month of orders never sits in memory at once.
 */
export interface ReportStore {
  /** Orders processed on one UTC day (`yyyy-mm-dd`) within `range`. */
  processedOrders(utcDay: string, range: IsoRange): AsyncIterable<ProcessedOrder>;
  /** Runs of `job` created within `range`. */
  runs(job: string, range: IsoRange): AsyncIterable<RunRecord>;
  save(report: StoredReport): Promise<void>;
}
