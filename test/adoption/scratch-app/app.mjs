// The scratch app's CDK app: the framework's JobsStack, its safety aspect, and cdk-nag's AwsSolutions pack.
import { fileURLToPath } from 'node:url';
import { App, Aspects, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { JobSafetyAspect } from '@serverless-jobs/cdk/aspects';
import { JobsStack } from '@serverless-jobs/cdk/constructs';
import { appJobs, visitsTable } from './jobs.mjs';

const app = new App();
new JobsStack(app, 'ScratchVisits', {
  jobs: appJobs,
  tables: [visitsTable],
  entryOf: (job) => fileURLToPath(new URL(`./functions/${job}.mjs`, import.meta.url)),
});
Aspects.of(app).add(new JobSafetyAspect());
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
