import { resolve } from 'node:path';
import { runStartCommand } from '@serverless-jobs/local/runner';
import { describeSeed, seed } from '#infra/local/seed';
import { allJobs } from '#shared/jobs/registry';

// npm start: the framework's local runner over this app, plus the app's own --seed.
runStartCommand(process.argv.slice(2), {
  root: resolve(import.meta.dirname, '../..'),
  jobs: allJobs,
  flags: { seed: { help: 'write demo customers, orders and audit logs (also: npm run seed)' } },
  afterStart: async (stack, flags) => {
    if (!flags.has('seed')) return;
    const { endpoints, outputs } = stack.describe();
    console.log(describeSeed(await seed(endpoints.dynamodb!, outputs)));
  },
}).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
