/** A key to start the next page after; plain strings so it survives JSON in a checkpoint or a continuation. */
export type PageKey = Readonly<Record<string, string>>;

export interface ExpiredPageQuery {
  readonly shard: string;
  /** ISO instant; only items strictly older are returned. */
  readonly cutoff: string;
  readonly limit: number;
  readonly startKey?: PageKey;
}

export interface ExpiredPage {
  /** IDs to hand back to `delete` (the audit `at` sort key, or the customer ID). */
  readonly ids: readonly string[];
  /** Absent when the shard has no further page. */
  readonly lastKey?: PageKey;
}

/** One kind of expiring item, spread over shards and ordered by time within a shard. */
export interface ExpiredItems {
  page(query: ExpiredPageQuery): Promise<ExpiredPage>;
  /** Deletes every ID or throws; never drops part of a batch silently. */
  delete(shard: string, ids: readonly string[]): Promise<void>;
}

/** The port the cleanup logic runs against; the DynamoDB adapter and the unit-test fake implement it. */
export interface CleanupStore {
  readonly auditLog: ExpiredItems;
  readonly customers: ExpiredItems;
}
