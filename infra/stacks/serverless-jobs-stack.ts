import { JobsStack, type JobsStackProps } from '@serverless-jobs/cdk/constructs';
import type { Construct } from 'constructs';
import type { AppConfig } from '#infra/config/app-config';
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

/** The reference app's stack: its jobs and tables on the framework's JobsStack. */
export class ServerlessJobsStack extends JobsStack {
  constructor(scope: Construct, id: string, props: ServerlessJobsStackProps) {
    const { config, jobs, entryOf, ...rest } = props;
    super(scope, id, {
      ...rest,
      jobs: jobs ?? appJobs,
      tables: appTables,
      overrides: config.overrides,
      entryOf: entryOf ?? ((job) => new URL(`${job}/handler.ts`, FUNCTIONS).pathname),
      ...(config.emailFrom ? { emailFrom: config.emailFrom } : {}),
      scheduleGroupName: `serverless-jobs-${config.stage}`,
    });
    this.addStageOutput(config.stage);
  }
}
