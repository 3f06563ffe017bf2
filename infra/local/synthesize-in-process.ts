import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import type { JobDeclaration } from '@serverless-jobs/runtime/jobs';
import { buildJobsApp } from '#infra/jobs-app';

/**
 * Synthesizes an app of the given jobs with the product's stack code, in this process (no cdk CLI), into a
 * fresh temporary folder, and returns it. Tests and the soak use it to run fixture jobs under the local runner.
 */
export function synthesizeInProcess(
  jobs: readonly JobDeclaration[],
  entryOf: (job: string) => string,
  prefix = 'sj-app-',
  /** More context, as `-c key=value` gives it (`logLevel: 'DEBUG'`). @default {} */
  extraContext: Readonly<Record<string, string>> = {},
): string {
  const outdir = mkdtempSync(join(tmpdir(), prefix));
  // The CLI turns asset and path metadata on; the local runner finds bundles and job names through them.
  const context = {
    emailFrom: 'jobs@example.com',
    'aws:cdk:enable-asset-metadata': true,
    'aws:cdk:enable-path-metadata': true,
    ...extraContext,
  };
  const app = new App({ outdir, context });
  buildJobsApp(app, { jobs, nag: false, entryOf });
  app.synth();
  return outdir;
}
