import type { ReportFigures } from '#shared/reports/report-figures';

/** Inclusive bounds on an ISO time key, as DynamoDB's BETWEEN takes them; a bound may be a prefix. */
export interface IsoRange {
  readonly from: string;
  readonly to: string;
}

export interface ProcessedOrder {
  readonly orderId: string;
  /** As written: the report parses it, since other systems write orders too. */
  readonly processedAt: string;
  readonly totalCents?: number;
  readonly currency?: string;
}

export interface RunRecord {
  readonly status?: string;
}

/** One report as stored: one item per period and zone, holding its latest version. */
export interface StoredReport {
  /** `<kind>/<label>/<zone>`: `daily/yyyy-mm-dd/Europe/Berlin` or `monthly/yyyy-mm/UTC`. */
  readonly reportId: string;
  readonly kind: string;
  readonly label: string;
  readonly timeZone: string;
  /** ISO, inclusive. */
  readonly periodStart: string;
  /** ISO, exclusive. */
  readonly periodEnd: string;
  readonly figures: ReportFigures;
  /** 1 for the first; one more each time a rerun finds other figures. */
  readonly version: number;
  /** When this version was made. */
  readonly createdAt: string;
  /** The version whose e-mails were enqueued; below `version` until they are. */
  readonly mailedVersion?: number;
}

/** What a rerun needs of the stored report; its figures as stored, to compare. */
export interface PreviousReport {
  readonly version: number;
  readonly createdAt: string;
  readonly mailedVersion?: number;
  readonly figures: unknown;
}

/**
 * What the report logic reads and writes. Reads are async iterables so the adapter pages and the
 * logic aggregates as it goes; a month of orders never sits in memory at once.
 */
export interface ReportStore {
  /** Orders whose `processedDay` is `processedDay` (`yyyy-mm-dd`), and whose `processedAt` is within `range`. */
  processedOrders(processedDay: string, range?: IsoRange): AsyncIterable<ProcessedOrder>;
  /** Runs of `job` created within `range`. */
  runs(job: string, range: IsoRange): AsyncIterable<RunRecord>;
  /** The stored report, read consistently. */
  load(reportId: string): Promise<PreviousReport | undefined>;
  /**
   * Writes `report` if the stored one is still `replacing` (its version; undefined: none stored), and throws
   * otherwise: another run wrote in between, and a retry reads its figures again.
   */
  save(report: StoredReport, replacing: number | undefined): Promise<void>;
  /** Records that `version`'s e-mails were enqueued; nothing if a newer version was stored meanwhile. */
  markMailed(reportId: string, version: number): Promise<void>;
}
