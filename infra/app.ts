import { App } from 'aws-cdk-lib';
import { ContextOverrideError } from '@serverless-jobs/cdk/config';
import { buildJobsApp } from '#infra/jobs-app';

const app = new App();
try {
  buildJobsApp(app);
} catch (error) {
  // A bad `-c key=value` or cdk.json value: its message names the key and the value; a stack trace adds nothing.
  if (!(error instanceof ContextOverrideError)) throw error;
  console.error(error.message);
  process.exit(1);
}
app.synth();
