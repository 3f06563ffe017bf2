import * as z from '@serverless-jobs/runtime/zod';
import { defineJob } from '@serverless-jobs/runtime/jobs';
import { domainTables } from '#shared/domain/tables';

/**
 * The soak's job (scripts/soak.ts): its effect is an item in the orders table, committed in the same
 * transaction as the run's completion, so a duplicated effect would show as `effects` > 1.
 * `failAttempts` makes the first N attempts fail transiently: 1-2 recover, 3 or more use up the attempts.
 */
export const soakJob = defineJob({
  name: 'soak',
  description: 'Load-and-fault soak fixture: fails transiently on demand, then commits one effect with its run.',
  payload: z.strictObject({
    n: z.number().check(z.int(), z.minimum(0)),
    failAttempts: z.number().check(z.int(), z.minimum(0), z.maximum(10)),
  }),
  timeoutSeconds: 10,
  memoryMb: 256,
  batchSize: 10,
  maxConcurrency: 4,
  retry: { attempts: 3, backoff: { type: 'fixed', delaySeconds: 1, jitter: 0 } },
  resources: { tables: [{ table: domainTables.orders, access: 'write' }] },
});
