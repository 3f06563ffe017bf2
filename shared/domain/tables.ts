import type { TableDesign } from '@serverless-jobs/runtime/jobs';

/** The app's own tables, as data: the stack creates them, the stores query by them, the jobs declare them. */
export const domainTables = {
  /**
   * Orders: `status` PENDING | PROCESSED, or RESERVED | SHIPPED | CANCELLED through fulfilment (fulfil-order).
   * When processed: `processedAt`, an ISO 8601 time with `Z` or an offset (the reports read any such form;
   * docs/data-model.md lists them), and `processedDay`, its `yyyy-mm-dd` in UTC or as written. Other systems
   * write orders too, so the reports parse the time rather than trust its form.
   */
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
  /**
   * Stored reports, the latest version of each: `reportId` = `<kind>/<label>/<zone>`, e.g.
   * `daily/2026-12-03/Europe/Berlin` or `monthly/2026-11/UTC`; `version` and `mailedVersion` as numbers.
   */
  reports: {
    id: 'Reports',
    envVar: 'TABLE_REPORTS',
    partitionKey: 'reportId',
    indexes: [],
  },
} as const satisfies Record<string, TableDesign>;

/** Every table of the app, in the order the stack creates them. */
export const appTables: readonly TableDesign[] = Object.values(domainTables);
