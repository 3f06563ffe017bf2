import { CfnOutput, Stack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { JobAlarms } from '../constructs/job-alarms.ts';
import type { CreatedSchedule, JobSchedules } from '../constructs/job-schedules.ts';
import type { JobTables } from '../constructs/job-tables.ts';
import type { JobWorker } from '../constructs/job-worker.ts';
import type { JobsDashboard } from '../constructs/jobs-dashboard.ts';
import type { SenderIdentity } from '../constructs/sender-identity.ts';
import { jobOutputKey, StackOutputKey, tableOutputKey } from '@serverless-jobs/runtime/contracts';

export interface StackOutputsProps {
  readonly workers: readonly JobWorker[];
  readonly tables: JobTables;
  readonly schedules: JobSchedules;
  readonly alarms: JobAlarms;
  readonly dashboard: JobsDashboard;
  /** @default - no sender outputs */
  readonly sender?: SenderIdentity;
}

/** Output keys of the sender's SES identity, for whoever sets it up; no reader of the stack depends on them. */
export const SenderOutputKey = {
  IDENTITY: 'EmailIdentity',
  /** `EmailDkimRecord1` to `EmailDkimRecord3`: each `<name> CNAME <value>`, for the domain's DNS. */
  dkimRecord: (index: number): string => `EmailDkimRecord${index}`,
} as const;

/** Creates an output at the stack's top level, so its key is exactly `key` (no construct-path hash). */
export function addOutput(scope: Construct, key: string, value: string, description: string): CfnOutput {
  return new CfnOutput(Stack.of(scope), key, { value, description });
}

function scheduleOutput(scope: Construct, created: CreatedSchedule): void {
  const kind = created.via === 'rule' ? 'EventBridge rule' : 'EventBridge Scheduler schedule';
  addOutput(
    scope,
    jobOutputKey.schedule(created.job, created.schedule),
    created.name,
    `${kind} ${created.job}/${created.schedule}`,
  );
}

/** Every name the CLI and the local runner look up, under the keys of the runtime's stack-output contract. */
export function addStackOutputs(scope: Construct, props: StackOutputsProps): void {
  for (const worker of props.workers) {
    const job = worker.jobName;
    addOutput(scope, jobOutputKey.queueUrl(job), worker.queue.queueUrl, `${job}: queue URL`);
    addOutput(scope, jobOutputKey.queueArn(job), worker.queue.queueArn, `${job}: queue ARN`);
    addOutput(scope, jobOutputKey.dlqUrl(job), worker.deadLetterQueue.queueUrl, `${job}: dead-letter queue URL`);
    addOutput(scope, jobOutputKey.dlqArn(job), worker.deadLetterQueue.queueArn, `${job}: dead-letter queue ARN`);
    addOutput(scope, jobOutputKey.functionName(job), worker.fn.functionName, `${job}: function name`);
  }
  for (const { design, table } of props.tables.all) {
    addOutput(scope, tableOutputKey(design.id), table.tableName, `${design.id} table name (${design.envVar})`);
  }
  for (const created of props.schedules.schedules) scheduleOutput(scope, created);
  addOutput(
    scope,
    StackOutputKey.SCHEDULE_GROUP,
    props.schedules.group.scheduleGroupName,
    'EventBridge Scheduler group of the job schedules',
  );
  addOutput(
    scope,
    StackOutputKey.DELAYED_SEND_ROLE_ARN,
    props.schedules.delayedSendRole.roleArn,
    'Role of the one-time schedules of jobs send --delay',
  );
  addOutput(
    scope,
    StackOutputKey.DASHBOARD,
    props.dashboard.dashboard.dashboardName,
    'CloudWatch dashboard of the jobs',
  );
  addOutput(
    scope,
    StackOutputKey.ALARM_TOPIC_ARN,
    props.alarms.topic.topicArn,
    'SNS topic the composite "jobs healthy" alarm notifies',
  );
  addOutput(scope, StackOutputKey.HEALTH_ALARM, props.alarms.healthy.alarmName, 'Composite "jobs healthy" alarm');
  if (props.sender?.identity) senderOutputs(scope, props.sender);
}

function senderOutputs(scope: Construct, sender: SenderIdentity): void {
  addOutput(
    scope,
    SenderOutputKey.IDENTITY,
    sender.identityName,
    'SES identity of the sender, made by this stack; SES sends from it once it is verified',
  );
  sender.dkimRecords.forEach((record, index) =>
    addOutput(scope, SenderOutputKey.dkimRecord(index + 1), record, "DKIM record to add to the domain's DNS"),
  );
}
