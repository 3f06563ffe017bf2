import * as z from '@serverless-jobs/runtime/zod';
import { ledgerTable } from '@serverless-jobs/runtime/contracts';
import { domainTables } from '#shared/domain/tables';
import { emailAddress } from '#shared/jobs/email-fields';
import { sendEmailJob } from '#shared/jobs/send-email';

/** The settings both report jobs share: who gets the report, and the zone of a manual run. */
export const reportSettings = z.object({
  recipients: z._default(z.array(emailAddress).check(z.minLength(1)), ['ops@example.com']),
  /** Zone a manual run (no schedule occurrence) counts its day or month in. */
  timeZone: z._default(z.string(), 'UTC'),
});

export type ReportSettings = z.output<typeof reportSettings>;

/** What the daily and the monthly report declare alike. */
export const reportJobCommon = {
  settings: reportSettings,
  timeoutSeconds: 120,
  memoryMb: 256,
  batchSize: 1,
  maxConcurrency: 2,
  retry: { attempts: 3, backoff: { type: 'exponential', delaySeconds: 60, maxDelaySeconds: 900, jitter: 0.2 } },
  resources: {
    tables: [
      { table: domainTables.orders, access: 'read' },
      { table: domainTables.reports, access: ['read', 'write'] },
      { table: ledgerTable, access: 'read' },
    ],
    enqueues: [sendEmailJob],
  },
} as const;
