import { App } from 'aws-cdk-lib';
import { buildJobsApp } from '#infra/jobs-app';

const app = new App();
buildJobsApp(app);
app.synth();
