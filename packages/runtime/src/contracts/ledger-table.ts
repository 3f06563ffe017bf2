import type { TableDesign } from '../jobs/table-design.ts';

/** The run ledger (job-state table): one item per run, `pk` = `<job>/<job ID>`. The framework owns it. */
export const ledgerTable: TableDesign = {
  id: 'Ledger',
  envVar: 'LEDGER_TABLE',
  partitionKey: 'pk',
  indexes: [{ name: 'byJob', partitionKey: 'job', sortKey: 'createdAt' }],
  ttlAttribute: 'expiresAt',
};
