#!/usr/bin/env node
// This app's jobs-cli: the framework's CLI over the app's registry, run from the TypeScript sources.
import { register } from 'node:module';
import { register as registerTsx } from 'tsx/esm/api';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register('./source-conditions.mjs', import.meta.url);
registerTsx();
const { runJobsCli, processIo } = await import('@serverless-jobs/cli/commands');
const { allJobs } = await import('../shared/jobs/registry.ts');
process.exitCode = await runJobsCli(process.argv.slice(2), processIo, {
  jobs: allJobs,
  root: new URL('..', import.meta.url).pathname,
});
