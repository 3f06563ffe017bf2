import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { AppConfig } from '#infra/config/app-config';
import { SCHEDULE_WATCHDOG } from '#shared/jobs/schedule-watchdog';
import { WATCHED_SCHEDULES_VARIABLE } from '#shared/runtime/environment';
import { type WatchedSchedule, watchedSchedules } from '#shared/schedules/watched-schedule';
import { JobAlarms } from '#infra/constructs/job-alarms';
import { grantTableActions } from '#infra/constructs/table-access';
import { JobSchedules } from '#infra/constructs/job-schedules';
import { JobTables } from '#infra/constructs/job-tables';
import { JobWorker } from '#infra/constructs/job-worker';
import { JobsDashboard } from '#infra/constructs/jobs-dashboard';
import { addOutput, addStackOutputs } from '#infra/outputs/stack-outputs';
import { StackOutputKey } from '#infra/outputs/output-names';

export interface ServerlessJobsStackProps extends StackProps {
  readonly config: AppConfig;
  /** The entry file of a job's function. @default `functions/<job>/handler.ts` */
  readonly entryOf?: (job: string) => string;
}

/** Every job's queue, DLQ, worker and schedules, the tables, alarms, dashboard and outputs, built from the declarations. */
export class ServerlessJobsStack extends Stack {
  readonly tables: JobTables;
  readonly workers: readonly JobWorker[];
  readonly schedules: JobSchedules;
  readonly alarms: JobAlarms;
  readonly dashboard: JobsDashboard;
  /** Every schedule but the watchdog's own, as resolved (overrides applied): compiled into the watchdog's bundle. */
  readonly watchedSchedules: readonly WatchedSchedule[];

  constructor(scope: Construct, id: string, props: ServerlessJobsStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.watchedSchedules = watchedSchedules(config.jobs.map((job) => job.declaration).filter((job) => job.name !== SCHEDULE_WATCHDOG));
    // In the bundle, not the environment: with their queues' URLs, under ten scheduled jobs would fill Lambda's 4 KB.
    const inlined = { [WATCHED_SCHEDULES_VARIABLE]: JSON.stringify(this.watchedSchedules) };
    this.tables = new JobTables(this, 'Tables');
    this.workers = config.jobs.map(
      (job) =>
        new JobWorker(this, job.declaration.name, {
          job,
          tables: this.tables,
          ...(config.emailFrom ? { emailFrom: config.emailFrom } : {}),
          ...(props.entryOf ? { entry: props.entryOf(job.declaration.name) } : {}),
          ...(job.declaration.name === SCHEDULE_WATCHDOG ? { inlinedEnvironment: inlined } : {}),
        }),
    );
    const byName = new Map(this.workers.map((worker) => [worker.jobName, worker]));
    for (const worker of this.workers) {
      for (const target of worker.declaration.resources.enqueues) {
        const targetWorker = byName.get(target);
        if (!targetWorker) {
          throw new Error(`${worker.jobName}: enqueues unknown job "${target}"; the jobs are: ${[...byName.keys()].join(', ')}`);
        }
        worker.enqueuesTo(targetWorker);
      }
    }
    const watchdog = byName.get(SCHEDULE_WATCHDOG);
    // It reads the runs of many occurrences at once, and takes back the PENDING run of a catch-up it failed to send.
    if (watchdog) grantTableActions(watchdog.role, this.tables.ledger, ['dynamodb:BatchGetItem', 'dynamodb:DeleteItem']);
    this.schedules = new JobSchedules(this, 'Schedules', { workers: this.workers, scheduleGroupName: `serverless-jobs-${config.stage}` });
    this.alarms = new JobAlarms(this, 'Alarms', { workers: this.workers });
    this.dashboard = new JobsDashboard(this, 'Dashboard', { workers: this.workers });
    addStackOutputs(this, { workers: this.workers, tables: this.tables, schedules: this.schedules, alarms: this.alarms, dashboard: this.dashboard });
    addOutput(this, StackOutputKey.STAGE, config.stage, 'Stage this stack was synthesized for');
  }
}
