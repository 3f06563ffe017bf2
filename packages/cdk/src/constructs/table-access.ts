import * as iam from 'aws-cdk-lib/aws-iam';
import { PLAIN_TABLE_ACCESS, TABLE_ACCESS_ACTIONS, type TableAccess } from '@serverless-jobs/runtime/jobs';

/** The DynamoDB actions of each access, as before it moved to the runtime's jobs (the local runner reads it too). */
export { TABLE_ACCESS_ACTIONS };
import type { DesignedTable } from './job-tables.ts';

/**
 * What the runtime does to the ledger for every job: each claim, completion, failure, checkpoint and schedule
 * lease is one conditional UpdateItem, inside `completeWith`'s transaction too, and it reads back only what
 * the update returns. A batch's first claims and its completions go together as PartiQL statements in one
 * BatchExecuteStatement (INSERT and UPDATE, each keeping its condition). A job that reads runs itself names the
 * ledger in `resources.tables`, read only.
 */
export const LEDGER_ACTIONS = ['dynamodb:UpdateItem', 'dynamodb:PartiQLInsert', 'dynamodb:PartiQLUpdate'] as const;

/**
 * What the schedule watchdog adds on the ledger: a schedule's state (GetItem), the runs of many occurrences at
 * once (BatchGetItem), a schedule's latest run (Query on its job's partitions), and taking back a PENDING run of
 * a catch-up it failed to send (DeleteItem).
 */
export const WATCHDOG_LEDGER_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:DeleteItem',
] as const;

/** What a plain `TableDesign` in `resources.tables` grants, as it did before accesses existed. */
export const DOMAIN_TABLE_ACTIONS: readonly string[] = PLAIN_TABLE_ACCESS.flatMap(
  (access) => TABLE_ACCESS_ACTIONS[access],
);

/** The actions that address an index; every other one addresses the table's items. */
const INDEX_ACTIONS = new Set(['dynamodb:Query', 'dynamodb:Scan']);

/**
 * Grants the actions, written out, on the table, and those that read an index (Query, Scan) on each of its
 * indexes by name too. `Table.grant*` would also work but adds `/index/*` and broader action sets.
 */
export function grantTableActions(
  grantee: iam.IGrantable,
  { design, table }: DesignedTable,
  actions: readonly string[],
): void {
  iam.Grant.addToPrincipal({ grantee, actions: [...actions], resourceArns: [table.tableArn] });
  const onIndexes = actions.filter((action) => INDEX_ACTIONS.has(action));
  if (onIndexes.length === 0 || design.indexes.length === 0) return;
  iam.Grant.addToPrincipal({
    grantee,
    actions: onIndexes,
    resourceArns: design.indexes.map((index) => `${table.tableArn}/index/${index.name}`),
  });
}

/** Grants the actions of each access named, and no others. */
export function grantTableAccess(grantee: iam.IGrantable, table: DesignedTable, access: readonly TableAccess[]): void {
  grantTableActions(
    grantee,
    table,
    access.flatMap((one) => TABLE_ACCESS_ACTIONS[one]),
  );
}
