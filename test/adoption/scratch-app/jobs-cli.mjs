// The scratch app's jobs CLI: the framework's CLI over its own jobs.
import { fileURLToPath } from 'node:url';
import { processIo, runJobsCli } from '@serverless-jobs/cli/commands';
import { allJobs } from './registry.mjs';

const root = fileURLToPath(new URL('.', import.meta.url));
process.exitCode = await runJobsCli(process.argv.slice(2), processIo, { jobs: allJobs, root });
