/**
 * The key design of every table, as data: infra creates them from it, the adapters query by it,
 * and the local runner reads the synthesized result. No CDK, no SDK here.
 */
export interface TableDesign {
  /** Construct ID and the suffix of the `Table<Id>Name` stack output. */
  readonly id: string;
  /** Environment variable through which functions learn the physical name. */
  readonly envVar: string;
  readonly partitionKey: string;
  readonly sortKey?: string;
  readonly indexes: readonly { readonly name: string; readonly partitionKey: string; readonly sortKey: string }[];
  /** Attribute holding an epoch-seconds expiry, when the table expires items. */
  readonly ttlAttribute?: string;
}

/** The run ledger (job-state table): one item per run, `pk` = `<job>/<job ID>`. */
export const ledgerTable: TableDesign = {
  id: 'Ledger',
  envVar: 'LEDGER_TABLE',
  partitionKey: 'pk',
  indexes: [{ name: 'byJob', partitionKey: 'job', sortKey: 'createdAt' }],
  ttlAttribute: 'expiresAt',
};

export const domainTables = {
  /** Orders: `status` PENDING | PROCESSED; `processedDay` (UTC yyyy-mm-dd) is set when processed. */
  orders: {
    id: 'Orders',
    envVar: 'TABLE_ORDERS',
    partitionKey: 'orderId',
    indexes: [{ name: 'byProcessedDay', partitionKey: 'processedDay', sortKey: 'processedAt' }],
  },
  /** Customers: a soft-deleted one carries `deletedAt` (ISO) and `deletedShard`, which puts it in the sparse index. */
  customers: {
    id: 'Customers',
    envVar: 'TABLE_CUSTOMERS',
    partitionKey: 'customerId',
    indexes: [{ name: 'byDeletedAt', partitionKey: 'deletedShard', sortKey: 'deletedAt' }],
  },
  /** Audit log: `shard` ("0".."n-1", chosen by the writer) and `at` = `<ISO time>#<id>`, so old entries are a key range. */
  auditLog: {
    id: 'AuditLog',
    envVar: 'TABLE_AUDIT_LOG',
    partitionKey: 'shard',
    sortKey: 'at',
    indexes: [],
  },
  /** Stored reports: `reportId` = `daily/yyyy-mm-dd` or `monthly/yyyy-mm`. */
  reports: {
    id: 'Reports',
    envVar: 'TABLE_REPORTS',
    partitionKey: 'reportId',
    indexes: [],
  },
} as const satisfies Record<string, TableDesign>;
