import { randomUUID } from 'node:crypto';
import {
  DescribeRuleCommand,
  DisableRuleCommand,
  EnableRuleCommand,
  type EventBridgeClient,
  ListTargetsByRuleCommand,
  PutRuleCommand,
} from '@aws-sdk/client-eventbridge';
import {
  CreateScheduleCommand,
  GetScheduleCommand,
  type GetScheduleCommandOutput,
  type SchedulerClient,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { JobDeclaration } from '@serverless-jobs/runtime/jobs';
import type { Clock } from '@serverless-jobs/runtime/runtime';
import { occurrenceTime } from '@serverless-jobs/runtime/schedules';
import { jobOutputKey, StackOutputKey } from '@serverless-jobs/runtime/contracts';
import { OpsInputError, OpsTargetError } from './errors.ts';
import type { DeployedSchedule, ScheduleControl, ScheduleRef } from './ops-types.ts';
import { requireOutput } from './stack-output.ts';

/** What EventBridge Scheduler puts in place of the occurrence; a rule's input template uses `<time>`. */
const SCHEDULER_PLACEHOLDER = '<aws.scheduler.scheduled-time>';
const RULE_PLACEHOLDER = '<time>';

export interface AwsScheduleControlOptions {
  readonly scheduler: SchedulerClient;
  readonly events: EventBridgeClient;
  readonly sqs: SQSClient;
  /** The stack's outputs: schedule names, the schedule group, queue URLs and ARNs. */
  readonly outputs: Readonly<Record<string, string>>;
  readonly jobs: readonly JobDeclaration[];
  readonly clock: Clock;
}

/** Schedules on AWS: EventBridge Scheduler in the stack's group, or an EventBridge rule for `via: 'rule'`. */
export class AwsScheduleControl implements ScheduleControl {
  constructor(private readonly options: AwsScheduleControlOptions) {}

  private get group(): string {
    return requireOutput(this.options.outputs, StackOutputKey.SCHEDULE_GROUP);
  }

  private read(name: string): Promise<GetScheduleCommandOutput> {
    return this.options.scheduler.send(new GetScheduleCommand({ Name: name, GroupName: this.group }));
  }

  async describe(ref: ScheduleRef): Promise<DeployedSchedule> {
    if (ref.via === 'rule') {
      const rule = await this.options.events.send(new DescribeRuleCommand({ Name: ref.name }));
      return {
        state: rule.State === 'DISABLED' ? 'DISABLED' : 'ENABLED',
        expression: rule.ScheduleExpression ?? '',
        timeZone: 'UTC',
      };
    }
    const schedule = await this.read(ref.name);
    return {
      state: schedule.State === 'DISABLED' ? 'DISABLED' : 'ENABLED',
      expression: schedule.ScheduleExpression ?? '',
      timeZone: schedule.ScheduleExpressionTimezone ?? 'UTC',
      activeSince: (schedule.LastModificationDate ?? schedule.CreationDate)?.toISOString(),
      // A rate without a StartDate starts when it is created (EventBridge Scheduler's user
      // guide, rate-based schedules).
      rateAnchor: (schedule.StartDate ?? schedule.CreationDate)?.toISOString(),
    };
  }

  async setEnabled(ref: ScheduleRef, enabled: boolean): Promise<void> {
    if (ref.via === 'rule') {
      const Command = enabled ? EnableRuleCommand : DisableRuleCommand;
      await this.options.events.send(new Command({ Name: ref.name }));
      return;
    }
    await this.rewrite(ref, { State: enabled ? 'ENABLED' : 'DISABLED' });
  }

  async update(ref: ScheduleRef, expression: string, timeZone: string): Promise<void> {
    if (ref.via === 'rule') {
      if (timeZone !== 'UTC')
        throw new OpsInputError(
          `${ref.job}/${ref.schedule} is an EventBridge rule, which runs in UTC only (given time zone "${timeZone}")`,
        );
      const rule = await this.options.events.send(new DescribeRuleCommand({ Name: ref.name }));
      await this.options.events.send(
        new PutRuleCommand({
          Name: ref.name,
          ScheduleExpression: expression,
          State: rule.State,
          Description: rule.Description,
          RoleArn: rule.RoleArn,
          EventBusName: rule.EventBusName,
        }),
      );
      return;
    }
    await this.rewrite(ref, { ScheduleExpression: expression, ScheduleExpressionTimezone: timeZone });
  }

  /** UpdateSchedule replaces the whole definition: read it, change only what is asked, write all of it back. */
  private async rewrite(
    ref: ScheduleRef,
    change: { State?: 'ENABLED' | 'DISABLED'; ScheduleExpression?: string; ScheduleExpressionTimezone?: string },
  ): Promise<void> {
    const current = await this.read(ref.name);
    if (!current.Target || !current.FlexibleTimeWindow || !current.ScheduleExpression) {
      throw new OpsTargetError(`GetSchedule of "${ref.name}" returned no target, time window or expression`);
    }
    await this.options.scheduler.send(
      new UpdateScheduleCommand({
        Name: ref.name,
        GroupName: this.group,
        ScheduleExpression: change.ScheduleExpression ?? current.ScheduleExpression,
        ScheduleExpressionTimezone: change.ScheduleExpressionTimezone ?? current.ScheduleExpressionTimezone,
        State: change.State ?? current.State,
        Description: current.Description,
        StartDate: current.StartDate,
        EndDate: current.EndDate,
        KmsKeyArn: current.KmsKeyArn,
        FlexibleTimeWindow: current.FlexibleTimeWindow,
        Target: current.Target,
        ActionAfterCompletion: current.ActionAfterCompletion,
      }),
    );
  }

  /** Sends what the schedule would send, with now as its occurrence, straight to the job's queue. */
  async trigger(ref: ScheduleRef): Promise<string> {
    const occurrence = occurrenceTime(this.options.clock.now());
    let body: string;
    if (ref.via === 'rule') {
      const { Targets = [] } = await this.options.events.send(new ListTargetsByRuleCommand({ Rule: ref.name }));
      const target =
        Targets.find((t) => t.Arn === requireOutput(this.options.outputs, jobOutputKey.queueArn(ref.job))) ??
        Targets[0];
      body = (target?.InputTransformer?.InputTemplate ?? target?.Input ?? '{}')
        .split(RULE_PLACEHOLDER)
        .join(JSON.stringify(occurrence));
    } else {
      const schedule = await this.read(ref.name);
      body = (schedule.Target?.Input ?? '{}').split(SCHEDULER_PLACEHOLDER).join(occurrence);
    }
    const queueUrl = requireOutput(this.options.outputs, jobOutputKey.queueUrl(ref.job));
    await this.options.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
    return occurrence;
  }

  /**
   * A one-time `at(...)` schedule in the stack's group that sends `body` to the job's queue and deletes
   * itself, with the stack's delayed-send role (output DelayedSendRoleArn), which may send to every job queue.
   */
  async sendAt(job: string, body: string, at: Date): Promise<string> {
    const roleArn = await this.roleFor(job);
    const name = `sj-${job}-${occurrenceTime(at.getTime()).replace(/[^0-9]/g, '')}-${randomUUID().slice(0, 8)}`.slice(
      0,
      64,
    );
    await this.options.scheduler.send(
      new CreateScheduleCommand({
        Name: name,
        GroupName: this.group,
        Description: `jobs send ${job}: one-time delayed message`,
        ScheduleExpression: `at(${occurrenceTime(at.getTime()).replace(/Z$/, '')})`,
        ScheduleExpressionTimezone: 'UTC',
        FlexibleTimeWindow: { Mode: 'OFF' },
        ActionAfterCompletion: 'DELETE',
        Target: {
          Arn: requireOutput(this.options.outputs, jobOutputKey.queueArn(job)),
          RoleArn: roleArn,
          Input: body,
          DeadLetterConfig: { Arn: requireOutput(this.options.outputs, jobOutputKey.dlqArn(job)) },
          RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
        },
      }),
    );
    return name;
  }

  private async roleFor(job: string): Promise<string> {
    const role = this.options.outputs[StackOutputKey.DELAYED_SEND_ROLE_ARN];
    if (!role)
      throw new OpsTargetError(
        `send ${job}: a delay above 900 s needs the stack output ` +
          `${StackOutputKey.DELAYED_SEND_ROLE_ARN}; deploy the current stack`,
      );
    return role;
  }
}
