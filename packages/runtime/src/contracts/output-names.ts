/**
 * Stack output keys, computed from job, schedule and table names, so the CLI and the local runner find a
 * resource without reading the template: `QueueUrlSendEmail`, `ScheduleCleanupDaily`, `TableLedger`.
 * Output keys are a contract: renaming one breaks every reader.
 */

/** `send-email` → `SendEmail`; `byJob` → `ByJob`; an already-Pascal `AuditLog` is kept. */
export function pascalCase(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter((part) => part.length > 0)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/** Output keys of one job's resources. */
export const jobOutputKey = {
  queueUrl: (job: string): string => `QueueUrl${pascalCase(job)}`,
  queueArn: (job: string): string => `QueueArn${pascalCase(job)}`,
  dlqUrl: (job: string): string => `DlqUrl${pascalCase(job)}`,
  dlqArn: (job: string): string => `DlqArn${pascalCase(job)}`,
  functionName: (job: string): string => `Function${pascalCase(job)}`,
  schedule: (job: string, schedule: string): string => `Schedule${pascalCase(job)}${pascalCase(schedule)}`,
} as const;

/** Output key of a table's physical name, from the `id` of its design: `Orders` → `TableOrders`. */
export const tableOutputKey = (tableId: string): string => `Table${pascalCase(tableId)}`;

/** Output keys of the stack-wide resources. */
export const StackOutputKey = {
  SCHEDULE_GROUP: 'ScheduleGroup',
  DELAYED_SEND_ROLE_ARN: 'DelayedSendRoleArn',
  DASHBOARD: 'DashboardName',
  ALARM_TOPIC_ARN: 'AlarmTopicArn',
  HEALTH_ALARM: 'HealthAlarmName',
  STAGE: 'Stage',
} as const;
