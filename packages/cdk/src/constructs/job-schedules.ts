import { Duration, RemovalPolicy, Stack, TimeZone } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventsTargets from 'aws-cdk-lib/aws-events-targets';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { SqsSendMessage } from 'aws-cdk-lib/aws-scheduler-targets';
import { Construct } from 'constructs';
import type { JobDeclaration } from '@serverless-jobs/runtime/jobs';
import type { JobWorker } from './job-worker.ts';
import { jobEnvelope } from '@serverless-jobs/runtime/contracts';

export interface JobSchedulesProps {
  /** The workers whose declared schedules are created; each schedule targets its own job's queue. */
  readonly workers: readonly JobWorker[];
  /** Name of the schedule group, one per stage, e.g. `serverless-jobs-dev`. */
  readonly scheduleGroupName: string;
  /** Delivery retries before an occurrence goes to the job's DLQ. @default 3 (0 to 185) */
  readonly retryAttempts?: number;
  /**
   * How long an occurrence may wait for delivery before it goes to the DLQ. @default Duration.hours(1) (1 min to 1 day)
   */
  readonly maxEventAge?: Duration;
  /**
   * What happens to the group when the stack is deleted or the group replaced. Deleting it deletes its schedules,
   * the one-time sends of `jobs send --delay` too, which target only this stack's queues. RETAIN would leave the
   * name taken, and the next create of the stack would fail on it. @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** One schedule as created, for outputs and tests. */
export interface CreatedSchedule {
  readonly job: string;
  readonly schedule: string;
  readonly via: 'scheduler' | 'rule';
  /** The physical name: an EventBridge Scheduler schedule name or a rule name. */
  readonly name: string;
}

type ScheduleDeclaration = JobDeclaration['schedules'][number];

/**
 * Every declared schedule as a producer into its job's queue: EventBridge Scheduler (time zone, no flexible
 * window, retries, the job's DLQ) in one group per stage, or a UTC EventBridge rule for `via: 'rule'`.
 * The message is the runtime's envelope, with the occurrence time filled in by the service.
 */
export class JobSchedules extends Construct {
  readonly group: scheduler.ScheduleGroup;
  readonly schedules: readonly CreatedSchedule[];
  /** The role one-time `at()` schedules use (`jobs send --delay 2h`): it may send to every job's queue and DLQ. */
  readonly delayedSendRole: iam.Role;

  constructor(scope: Construct, id: string, props: JobSchedulesProps) {
    super(scope, id);
    this.group = new scheduler.ScheduleGroup(this, 'Group', {
      scheduleGroupName: props.scheduleGroupName,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.DESTROY,
    });
    this.delayedSendRole = new iam.Role(this, 'DelayedSendRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
      description:
        'One-time schedules of jobs send --delay: delivers a delayed job to its queue, or to its DLQ on failure',
    });
    for (const worker of props.workers) {
      worker.queue.grantSendMessages(this.delayedSendRole);
      worker.deadLetterQueue.grantSendMessages(this.delayedSendRole);
    }
    const delivery = { retryAttempts: props.retryAttempts ?? 3, maxEventAge: props.maxEventAge ?? Duration.hours(1) };
    this.schedules = props.workers.flatMap((worker) =>
      worker.declaration.schedules.map((schedule): CreatedSchedule => {
        const constructId = `${worker.jobName}-${schedule.name}`;
        const target = { worker, schedule, delivery };
        const name = schedule.via === 'rule' ? this.rule(constructId, target) : this.scheduled(constructId, target);
        return { job: worker.jobName, schedule: schedule.name, via: schedule.via, name };
      }),
    );
  }

  private scheduled(id: string, { worker, schedule, delivery }: Target): string {
    const created = new scheduler.Schedule(this, id, {
      description: `${worker.jobName}/${schedule.name}: ${schedule.expression} in ${schedule.timeZone}`,
      scheduleGroup: this.group,
      schedule: scheduler.ScheduleExpression.expression(schedule.expression, TimeZone.of(schedule.timeZone)),
      timeWindow: scheduler.TimeWindow.off(),
      target: new SqsSendMessage(worker.queue, {
        input: scheduler.ScheduleTargetInput.fromObject(
          envelope(worker, schedule, scheduler.ContextAttribute.scheduledTime),
        ),
        deadLetterQueue: worker.deadLetterQueue,
        ...delivery,
      }),
    });
    return created.scheduleName;
  }

  private rule(id: string, { worker, schedule, delivery }: Target): string {
    const created = new events.Rule(this, id, {
      description: `${worker.jobName}/${schedule.name}: ${schedule.expression} in UTC`,
      schedule: events.Schedule.expression(schedule.expression),
      targets: [
        new eventsTargets.SqsQueue(worker.queue, {
          message: events.RuleTargetInput.fromObject(envelope(worker, schedule, events.EventField.time)),
          deadLetterQueue: worker.deadLetterQueue,
          ...delivery,
        }),
      ],
    });
    return created.ruleName;
  }
}

interface Target {
  readonly worker: JobWorker;
  readonly schedule: ScheduleDeclaration;
  readonly delivery: { readonly retryAttempts: number; readonly maxEventAge: Duration };
}

/** The message body the runtime reads; `occurrence` makes the run ID deterministic per firing. */
function envelope(worker: JobWorker, schedule: ScheduleDeclaration, time: string): Record<string, unknown> {
  return {
    ...jobEnvelope(worker.jobName, {
      payload: schedule.payload,
      occurrence: { schedule: schedule.name, time, timeZone: schedule.timeZone },
    }),
  };
}
