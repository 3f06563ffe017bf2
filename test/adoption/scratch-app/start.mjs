// npm start for the scratch app: the framework's local runner over its synthesized stack.
import { fileURLToPath } from 'node:url';
import { runStartCommand } from '@serverless-jobs/local/runner';
import { allJobs } from './registry.mjs';

const root = fileURLToPath(new URL('.', import.meta.url));
runStartCommand(process.argv.slice(2), { root, jobs: allJobs }).catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
