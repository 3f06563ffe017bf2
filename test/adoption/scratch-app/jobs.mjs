// The scratch app's jobs: declared with the published runtime package only.
import * as z from '@serverless-jobs/runtime/zod';
import { defineJob } from '@serverless-jobs/runtime/jobs';

/** The app's own table: JobsStack creates it, record-visit writes to it. */
export const visitsTable = {
  id: 'Visits',
  envVar: 'TABLE_VISITS',
  partitionKey: 'visitId',
  indexes: [],
};

/** A queue job: one visit, written to the Visits table. */
export const recordVisitJob = defineJob({
  name: 'record-visit',
  description: 'Writes one page visit to the Visits table.',
  payload: z.strictObject({ visitId: z.string().check(z.minLength(1)), page: z.string().check(z.minLength(1)) }),
  resources: { tables: [{ table: visitsTable, access: 'write' }] },
});

/** A cron job in Berlin's time zone, with trivial work. */
export const berlinDigestJob = defineJob({
  name: 'berlin-digest',
  description: 'Says good morning in Berlin at 09:00 local time.',
  payload: z.strictObject({ greeting: z.string() }),
  schedules: [
    {
      name: 'morning',
      expression: 'cron(0 9 * * ? *)',
      timeZone: 'Europe/Berlin',
      payload: { greeting: 'Guten Morgen' },
    },
  ],
});

/** A durable job: waits for a reviewer's callback, then marks the visit reviewed, in a step. */
export const reviewVisitJob = defineJob({
  name: 'review-visit',
  description: 'Waits for a reviewer to approve a visit, then marks it reviewed.',
  payload: z.strictObject({ visitId: z.string().check(z.minLength(1)) }),
  durable: { executionTimeout: '1d' },
  resources: { tables: [{ table: visitsTable, access: 'write' }] },
});

export const appJobs = [recordVisitJob, berlinDigestJob, reviewVisitJob];
