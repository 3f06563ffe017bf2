import type { TableDesign } from '@serverless-jobs/runtime/jobs';

/** The app's own tables, as data: the stack creates them, the stores query by them, the jobs declare them. */
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
  /**
   * Audit log: `shard` ("0".."n-1", chosen by the writer) and `at` = `<ISO time>#<id>`, so old entries are a key range.
   */
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

/** Every table of the app, in the order the stack creates them. */
export const appTables: readonly TableDesign[] = Object.values(domainTables);
