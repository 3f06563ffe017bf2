import { Annotations } from 'aws-cdk-lib';
import { JobsStack, type JobsStackProps } from '@serverless-jobs/cdk/constructs';
import type { Construct } from 'constructs';
import type { AppConfig } from '#infra/config/app-config';
import { StageContextKey } from '#infra/config/stage-config';
import { appTables } from '#shared/domain/tables';
import { appJobs } from '#shared/jobs/registry';

export interface ServerlessJobsStackProps extends Omit<JobsStackProps, 'jobs' | 'entryOf'> {
  readonly config: AppConfig;
  /** The declarations to build. @default the app's registry */
  readonly jobs?: JobsStackProps['jobs'];
  /** The entry file of a job's function. @default `functions/<job>/handler.ts` */
  readonly entryOf?: (job: string) => string;
}

const FUNCTIONS = new URL('../../functions/', import.meta.url);

/**
 * The reference app's stack: its jobs and tables on the framework's JobsStack, one stack per stage. Everything
 * with a name of its own carries the stage (`ServerlessJobs-<stage>-…`, `serverless-jobs-<stage>`), and the jobs
 * write their metrics to `ServerlessJobs/<stage>`, so two stages in one account and region share nothing.
 */
export class ServerlessJobsStack extends JobsStack {
  constructor(scope: Construct, id: string, props: ServerlessJobsStackProps) {
    const { config, jobs, entryOf, ...rest } = props;
    super(scope, id, {
      ...rest,
      jobs: jobs ?? appJobs,
      tables: appTables,
      overrides: config.overrides,
      entryOf: entryOf ?? ((job) => new URL(`${job}/handler.ts`, FUNCTIONS).pathname),
      ...(config.emailFrom ? { emailFrom: config.emailFrom, emailIdentity: config.emailIdentity } : {}),
      scheduleGroupName: `serverless-jobs-${config.stage}`,
      metricsNamespace: `ServerlessJobs/${config.stage}`,
      deletionProtection: config.production,
      ...(config.alarmTopicArn ? { alarmTopicArn: config.alarmTopicArn } : { alarmEmails: config.alarmEmails }),
    });
    this.addStageOutput(config.stage);
    if (config.production && !config.alarmTopicArn && config.alarmEmails.length === 0) {
      Annotations.of(this).addWarningV2(
        'serverless-jobs:alarmTarget',
        `production stage "${config.stage}" notifies nobody when a job is unhealthy: give ` +
          `-c ${StageContextKey.ALARM_EMAIL}=<addresses> or -c ${StageContextKey.ALARM_TOPIC_ARN}=<ARN>`,
      );
    }
  }
}
