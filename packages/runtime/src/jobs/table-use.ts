import type { TableDesign } from './table-design.ts';

/**
 * What a job does to a table; the CDK constructs grant each as its own set of DynamoDB actions:
 * - `read`: GetItem, BatchGetItem and Query, on the table and its indexes (no Scan);
 * - `write`: PutItem, UpdateItem and ConditionCheckItem, also as items of a TransactWriteItems;
 * - `delete`: DeleteItem and BatchWriteItem. IAM cannot tell a batch's puts from its deletes, so a job that
 *   only deletes (a cleanup) can batch-put as well; one that only writes cannot batch-write at all;
 * - `scan`: Scan, on the table and its indexes. It reads every item, so it is named apart from `read`.
 */
export type TableAccess = 'read' | 'write' | 'delete' | 'scan';

/** Every access, in the order the grants list them. */
export const TABLE_ACCESS: readonly TableAccess[] = ['read', 'write', 'delete', 'scan'];

/** The DynamoDB actions of each access: the CDK grants them, and the local runner names the access a call lacks. */
export const TABLE_ACCESS_ACTIONS: Readonly<Record<TableAccess, readonly string[]>> = {
  read: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'],
  write: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:ConditionCheckItem'],
  delete: ['dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'],
  scan: ['dynamodb:Scan'],
};

/** What a plain `TableDesign` in `resources.tables` grants, as before accesses existed: all but `scan`. */
export const PLAIN_TABLE_ACCESS: readonly TableAccess[] = ['read', 'write', 'delete'];

/** A table a job names in `resources.tables`, with what it does to it: `{ table: orders, access: 'read' }`. */
export interface TableUse {
  readonly table: TableDesign;
  /** One access, or several: `['read', 'write']`, or `['read', 'delete']` for a cleanup. */
  readonly access: TableAccess | readonly TableAccess[];
}

/** A table use with its access as a list, each access once. */
export interface ResolvedTableUse {
  readonly table: TableDesign;
  readonly access: readonly TableAccess[];
  /** False for a plain design, which keeps its meaning from before accesses existed: read, write and delete. */
  readonly explicit: boolean;
}
