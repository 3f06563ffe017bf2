import * as z from '@serverless-jobs/runtime/zod';
import { defineJob } from '@serverless-jobs/runtime/jobs';
import { domainTables } from '#shared/domain/tables';
import { CLEANUP } from '#shared/jobs/job-names';

const days = z.number().check(z.int(), z.minimum(1), z.maximum(3650));

export const cleanupJob = defineJob({
  name: CLEANUP,
  description: 'Deletes audit-log entries and soft-deleted customers past their retention, page by page.',
  payload: z.strictObject({ auditRetentionDays: z.optional(days), customerRetentionDays: z.optional(days) }),
  settings: z.object({
    auditRetentionDays: z._default(days, 90),
    customerRetentionDays: z._default(days, 30),
    pageSize: z._default(z.number().check(z.int(), z.minimum(1), z.maximum(25)), 25),
    /** Shards of the audit log and of the soft-deleted customers' index (`shard`, `deletedShard`); writers pick one. */
    shards: z._default(z.number().check(z.int(), z.minimum(1), z.maximum(64)), 8),
  }),
  timeoutSeconds: 300,
  memoryMb: 256,
  batchSize: 1,
  maxConcurrency: 2,
  retry: { attempts: 3, backoff: { type: 'exponential', delaySeconds: 60, maxDelaySeconds: 900, jitter: 0.2 } },
  schedules: [{ name: 'daily', expression: 'cron(0 2 * * ? *)', timeZone: 'UTC', payload: {}, overlap: 'skip' }],
  resources: {
    tables: [
      { table: domainTables.auditLog, access: ['read', 'delete'] },
      { table: domainTables.customers, access: ['read', 'delete'] },
    ],
    enqueues: ['cleanup'],
  },
});
