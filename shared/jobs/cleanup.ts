import { z } from 'zod';
import { defineJob } from '#shared/jobs/define-job';

const days = z.number().int().min(1).max(3650);

export const cleanupJob = defineJob({
  name: 'cleanup',
  description: 'Deletes audit-log entries and soft-deleted customers past their retention, page by page.',
  payload: z.object({ auditRetentionDays: days.optional(), customerRetentionDays: days.optional() }).strict(),
  settings: z.object({
    auditRetentionDays: days.default(90),
    customerRetentionDays: days.default(30),
    pageSize: z.number().int().min(1).max(25).default(25),
    /** Shards of the audit log and of the soft-deleted customers' index (`shard`, `deletedShard`); writers pick one. */
    shards: z.number().int().min(1).max(64).default(8),
  }),
  timeoutSeconds: 300,
  memoryMb: 256,
  batchSize: 1,
  maxConcurrency: 2,
  retry: { attempts: 3, backoff: { type: 'exponential', delaySeconds: 60, maxDelaySeconds: 900, jitter: 0.2 } },
  schedules: [{ name: 'daily', expression: 'cron(0 2 * * ? *)', timeZone: 'UTC', payload: {}, overlap: 'skip' }],
  resources: { tables: ['auditLog', 'customers'], enqueues: ['cleanup'] },
});
