import { describe, expect, it } from 'vitest';
import { defineJob, type TableAccess, type TableDesign } from '@serverless-jobs/runtime/jobs';
import * as z from '@serverless-jobs/runtime/zod';

const orders: TableDesign = { id: 'Orders', envVar: 'TABLE_ORDERS', partitionKey: 'orderId', indexes: [] };
const audit: TableDesign = { id: 'AuditLog', envVar: 'TABLE_AUDIT', partitionKey: 'shard', sortKey: 'at', indexes: [] };
const base = { name: 'demo', description: 'demo', payload: z.object({}) };

describe('Declaration: resources.tables', () => {
  it('resolves each table with its access as a list, each access once', () => {
    const job = defineJob({
      ...base,
      resources: {
        tables: [
          { table: orders, access: 'read' },
          { table: audit, access: ['read', 'delete', 'read'] },
        ],
      },
    });
    expect(job.resources.tables).toEqual([
      { table: orders, access: ['read'], explicit: true },
      { table: audit, access: ['read', 'delete'], explicit: true },
    ]);
  });

  it('keeps a plain design meaning what it meant before accesses existed: read, write and delete', () => {
    const job = defineJob({ ...base, resources: { tables: [orders] } });
    expect(job.resources.tables).toEqual([{ table: orders, access: ['read', 'write', 'delete'], explicit: false }]);
  });

  it('refuses a table named twice, an empty access and an unknown one, quoting each', () => {
    const attempt = () =>
      defineJob({
        ...base,
        resources: {
          tables: [
            { table: orders, access: 'read' },
            { table: orders, access: 'write' },
            { table: audit, access: [] },
            { table: { ...audit, id: 'Other' }, access: 'readWrite' as TableAccess },
          ],
        },
      });
    expect(attempt).toThrow('demo: resources.tables, table "Orders" is named twice');
    expect(attempt).toThrow('demo: resources.tables, table "AuditLog": access must be read, write, delete or scan');
    expect(attempt).toThrow(
      'table "Other": access must be read, write, delete or scan, or a list of them (given ["readWrite"])',
    );
  });
});
