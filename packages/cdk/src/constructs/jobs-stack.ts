import { fileURLToPath } from 'node:url';
import { Stack, type StackProps } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { StackOutputKey, WATCHED_SCHEDULES_VARIABLE } from '@serverless-jobs/runtime/contracts';
import type { JobDeclaration, TableDesign } from '@serverless-jobs/runtime/jobs';
import {
  defineScheduleWatchdog,
  SCHEDULE_WATCHDOG,
  type WatchedSchedule,
  watchedSchedules,
} from '@serverless-jobs/runtime/schedules';
import { type ResolvedJob, resolveJobs } from '../config/resolve-jobs.ts';
import { addOutput, addStackOutputs } from '../outputs/stack-outputs.ts';
import { JobAlarms } from './job-alarms.ts';
import { assertMetricsNamespace } from './job-metrics.ts';
import { JobSchedules } from './job-schedules.ts';
import { JobTables } from './job-tables.ts';
import { JobWorker } from './job-worker.ts';
import { JobsDashboard } from './jobs-dashboard.ts';
import { SenderIdentity, type SenderIdentityMode } from './sender-identity.ts';
import { grantTableActions, WATCHDOG_LEDGER_ACTIONS } from './table-access.ts';

// The watchdog's entry ships with this package: a .ts file beside this one in the sources, .js when compiled.
const WATCHDOG_ENTRY = fileURLToPath(
  new URL(`../watchdog/handler${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url),
);

export interface JobsStackProps extends StackProps {
  /** The app's jobs. The schedule watchdog joins them when any has a schedule. */
  readonly jobs: readonly JobDeclaration[];
  /** The absolute path of each job's entry file, which exports `handler`. */
  readonly entryOf: (job: string) => string;
  /** The app's own tables, which the jobs name in `resources.tables`. @default [] */
  readonly tables?: readonly TableDesign[];
  /**
   * Per-job overrides (`schedule.<job>`, `timezone.<job>.<schedule>`, `settings.<job>.<key>`, …), usually
   * the app's context. @default this stack's context
   */
  readonly overrides?: Readonly<Record<string, unknown>>;
  /** SES sender; required when a job declares `sendsEmail`. @default - none */
  readonly emailFrom?: string;
  /** Whether the stack makes the sender's SES identity (`domain`, `address`) or finds it made. @default 'existing' */
  readonly emailIdentity?: SenderIdentityMode;
  /** The EventBridge Scheduler group of the schedules. @default `serverless-jobs-<stack name>` */
  readonly scheduleGroupName?: string;
  /**
   * The CloudWatch namespace of the job metrics, set in every function's environment and read by the alarms and
   * the dashboard. One per stage: two stacks sharing it would read each other's metrics.
   * @default `ServerlessJobs/<stack name>`
   */
  readonly metricsNamespace?: string;
  /** DynamoDB deletion protection on the ledger and the app's tables, for a production stage. @default false */
  readonly deletionProtection?: boolean;
  /**
   * The ARN of an existing SNS topic, in the stack's account and region, for the health alarm to notify.
   * @default - a topic of the stack's own
   */
  readonly alarmTopicArn?: string;
  /** Addresses subscribed by e-mail to the stack's own alarm topic; not with `alarmTopicArn`. @default [] */
  readonly alarmEmails?: readonly string[];
  /** Package export conditions for bundling. @default the `--conditions` of this process */
  readonly conditions?: readonly string[];
}

/**
 * Every job's queue, DLQ, worker and schedules, the run ledger and the app's tables, the schedule watchdog,
 * alarms, a dashboard and the outputs that the CLI and the local runner read: built from the declarations.
 */
export class JobsStack extends Stack {
  readonly jobs: readonly ResolvedJob[];
  readonly tables: JobTables;
  readonly workers: readonly JobWorker[];
  readonly watchdog: JobWorker | undefined;
  readonly schedules: JobSchedules;
  readonly alarms: JobAlarms;
  readonly dashboard: JobsDashboard;
  readonly sender: SenderIdentity | undefined;
  /** Every schedule but the watchdog's own, as resolved (overrides applied): compiled into the watchdog's bundle. */
  readonly watchedSchedules: readonly WatchedSchedule[];

  constructor(scope: Construct, id: string, props: JobsStackProps) {
    super(scope, id, props);
    const own = props.jobs.find((job) => job.name === SCHEDULE_WATCHDOG);
    if (own)
      throw new Error(`jobs: "${own.name}" is the framework's own job, which the stack adds; give only the app's jobs`);
    const scheduled = props.jobs.some((job) => job.schedules.length > 0);
    const watchdogJob = scheduled ? defineScheduleWatchdog(props.jobs) : undefined;
    this.jobs = resolveJobs(
      watchdogJob ? [...props.jobs, watchdogJob] : props.jobs,
      props.overrides ?? this.node.getAllContext(),
    );
    const appJobs = this.jobs.slice(0, props.jobs.length);
    this.watchedSchedules = watchedSchedules(appJobs.map((job) => job.declaration));
    this.tables = new JobTables(this, 'Tables', {
      tables: props.tables ?? [],
      ...(props.deletionProtection ? { deletionProtection: true } : {}),
    });
    const common = {
      tables: this.tables,
      metricsNamespace: assertMetricsNamespace(props.metricsNamespace ?? `ServerlessJobs/${this.stackName}`),
      ...(props.emailFrom ? { emailFrom: props.emailFrom } : {}),
      ...(props.conditions ? { conditions: props.conditions } : {}),
    };
    const workers = appJobs.map(
      (job) =>
        new JobWorker(this, job.declaration.name, { ...common, job, entry: props.entryOf(job.declaration.name) }),
    );
    const watchdogResolved = this.jobs[props.jobs.length];
    this.watchdog = watchdogResolved
      ? new JobWorker(this, watchdogResolved.declaration.name, {
          ...common,
          job: watchdogResolved,
          entry: WATCHDOG_ENTRY,
          // In the bundle, not the environment: with their queues' URLs, under ten scheduled jobs
          // would fill Lambda's 4 KB.
          inlinedEnvironment: { [WATCHED_SCHEDULES_VARIABLE]: JSON.stringify(this.watchedSchedules) },
        })
      : undefined;
    this.workers = this.watchdog ? [...workers, this.watchdog] : workers;
    this.wireEnqueues();
    if (this.watchdog) grantTableActions(this.watchdog.role, this.tables.ledger, WATCHDOG_LEDGER_ACTIONS);
    this.schedules = new JobSchedules(this, 'Schedules', {
      workers: this.workers,
      scheduleGroupName: props.scheduleGroupName ?? `serverless-jobs-${id}`,
    });
    this.alarms = new JobAlarms(this, 'Alarms', {
      workers: this.workers,
      ...(this.watchdog ? { watchdog: this.watchdog } : {}),
      ...(props.alarmTopicArn ? { topic: sns.Topic.fromTopicArn(this, 'AlarmTopic', props.alarmTopicArn) } : {}),
      ...(props.alarmEmails ? { emailSubscribers: props.alarmEmails } : {}),
    });
    this.dashboard = new JobsDashboard(this, 'Dashboard', { workers: this.workers });
    this.sender = this.senderIdentity(props);
    addStackOutputs(this, {
      workers: this.workers,
      tables: this.tables,
      schedules: this.schedules,
      alarms: this.alarms,
      dashboard: this.dashboard,
      ...(this.sender ? { sender: this.sender } : {}),
    });
  }

  /** Adds an output under a key of the stack-output contract. */
  addStageOutput(stage: string): void {
    addOutput(this, StackOutputKey.STAGE, stage, 'Stage this stack was synthesized for');
  }

  private senderIdentity(props: JobsStackProps): SenderIdentity | undefined {
    const mode = props.emailIdentity ?? 'existing';
    if (!props.emailFrom) {
      if (mode !== 'existing')
        throw new Error(`emailIdentity "${mode}": the stack makes it for emailFrom, which is not given`);
      return undefined;
    }
    return new SenderIdentity(this, 'Sender', { emailFrom: props.emailFrom, mode });
  }

  private wireEnqueues(): void {
    const byName = new Map(this.workers.map((worker) => [worker.jobName, worker]));
    for (const worker of this.workers) {
      for (const target of worker.declaration.resources.enqueues) {
        const targetWorker = byName.get(target);
        if (!targetWorker) {
          throw new Error(
            `${worker.jobName}: enqueues unknown job "${target}"; the jobs are: ${[...byName.keys()].join(', ')}`,
          );
        }
        worker.enqueuesTo(targetWorker);
      }
    }
  }
}
