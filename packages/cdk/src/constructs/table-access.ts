import * as iam from 'aws-cdk-lib/aws-iam';
import type { DesignedTable } from './job-tables.ts';

/** What the runtime does to the ledger: claim (conditional put/update), complete, checkpoint, history queries. */
export const LEDGER_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:Query',
  'dynamodb:ConditionCheckItem',
] as const;

/**
 * What a job may do to a domain table it declares: item reads and writes, key-range queries, batch deletes
 * (cleanup) and condition checks (a side effect committed with the run's completion). No Scan,
 * no table-level actions.
 */
export const DOMAIN_TABLE_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:ConditionCheckItem',
] as const;

/**
 * Grants the actions, written out, on the table and on each of its indexes by name. `Table.grant*` would
 * also work but adds `/index/*` and broader action sets.
 */
export function grantTableActions(
  grantee: iam.IGrantable,
  { design, table }: DesignedTable,
  actions: readonly string[],
): void {
  iam.Grant.addToPrincipal({
    grantee,
    actions: [...actions],
    resourceArns: [table.tableArn, ...design.indexes.map((index) => `${table.tableArn}/index/${index.name}`)],
  });
}
