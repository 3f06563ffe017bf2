import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { JobMetricName, jobMetric } from './job-metrics.ts';
import type { JobWorker } from './job-worker.ts';

export interface JobAlarmsProps {
  readonly workers: readonly JobWorker[];
  /**
   * The schedule watchdog's worker, which gets the WatchdogSilent alarm; its own schedule is not watched.
   * @default - none
   */
  readonly watchdog?: JobWorker;
  /** Period of every job alarm. @default Duration.minutes(5) */
  readonly period?: Duration;
  /**
   * The start of every alarm name (`<prefix>-<job>-DeadLetters`, `<prefix>-JobsHealthy`), so that the alarms of
   * two stacks in one account and region never share a name. @default the stack name
   */
  readonly alarmNamePrefix?: string;
  /**
   * An existing SNS topic for the composite alarm to notify, in the stack's account and region, instead of a
   * topic of its own. @default - a topic of its own
   */
  readonly topic?: sns.ITopic;
  /**
   * Addresses to subscribe by e-mail to the topic of its own; each confirms through the link SNS mails it.
   * @default []
   */
  readonly emailSubscribers?: readonly string[];
}

/** The alarms of one job, by concern. */
export interface JobAlarmSet {
  readonly deadLetters: cloudwatch.Alarm;
  readonly oldestMessage: cloudwatch.Alarm;
  readonly errorRate: cloudwatch.Alarm;
  readonly nearTimeout: cloudwatch.Alarm;
  /** A job with schedules: the watchdog found an occurrence with no run. */
  readonly missedOccurrences?: cloudwatch.Alarm;
  /** The watchdog itself: no successful check in 15 minutes, so missed occurrences would go unseen. */
  readonly watchdogSilent?: cloudwatch.Alarm;
  /**
   * The watchdog's first successful check: INSUFFICIENT_DATA before it, OK from then on (missing data keeps the
   * state), never ALARM. WatchdogSilent pages only while this is OK, so a fresh deploy does not page.
   */
  readonly watchdogFirstCheck?: cloudwatch.Alarm;
}

/**
 * Per job: messages in the DLQ, a stale backlog, the failure rate and durations near the timeout, with the
 * thresholds from the declaration. Only the composite "jobs healthy" alarm over them notifies, on ALARM and on
 * OK: one incident is one page, however many jobs it touches. The others are for the console and the dashboard.
 */
export class JobAlarms extends Construct {
  readonly topic: sns.ITopic;
  readonly byJob: ReadonlyMap<string, JobAlarmSet>;
  readonly healthy: cloudwatch.CompositeAlarm;
  private readonly prefix: string;

  constructor(scope: Construct, id: string, props: JobAlarmsProps) {
    super(scope, id);
    const period = props.period ?? Duration.minutes(5);
    this.prefix = props.alarmNamePrefix ?? Stack.of(this).stackName;
    this.topic = this.topicOf(props);
    this.byJob = new Map(props.workers.map((worker) => [worker.jobName, this.forJob(worker, period, props.watchdog)]));
    const rules = [...this.byJob.values()].flatMap((set): cloudwatch.IAlarmRule[] => [
      ...(set.missedOccurrences ? [set.missedOccurrences] : []),
      ...(set.watchdogSilent && set.watchdogFirstCheck
        ? [
            cloudwatch.AlarmRule.allOf(
              cloudwatch.AlarmRule.fromAlarm(set.watchdogSilent, cloudwatch.AlarmState.ALARM),
              cloudwatch.AlarmRule.fromAlarm(set.watchdogFirstCheck, cloudwatch.AlarmState.OK),
            ),
          ]
        : []),
      set.deadLetters,
      set.oldestMessage,
      set.errorRate,
      set.nearTimeout,
    ]);
    this.healthy = new cloudwatch.CompositeAlarm(this, 'JobsHealthy', {
      compositeAlarmName: `${this.prefix}-JobsHealthy`,
      alarmDescription:
        `${this.prefix}: jobs healthy. In ALARM while any job alarm is (the watchdog's silence only after its ` +
        'first check); the only alarm that notifies.',
      alarmRule: cloudwatch.AlarmRule.anyOf(...rules),
    });
    const action = new SnsAction(this.topic);
    this.healthy.addAlarmAction(action);
    this.healthy.addOkAction(action);
  }

  private topicOf(props: JobAlarmsProps): sns.ITopic {
    const emails = props.emailSubscribers ?? [];
    if (props.topic) {
      if (emails.length > 0) throw new Error('JobAlarms: give emailSubscribers or an existing topic, not both');
      return props.topic;
    }
    // Not KMS-encrypted: CloudWatch cannot publish to a topic under the AWS-managed SNS key, and alarm
    // notifications carry no job data. cdk-nag 3's AwsSolutions pack has no SNS2 rule any more.
    const topic = new sns.Topic(this, 'Topic', { displayName: `${this.prefix} alarms`, enforceSSL: true });
    for (const email of emails) {
      Validations.of(topic.addSubscription(new EmailSubscription(email))).acknowledge({
        id: 'Serverless::Serverless-SNSRedrivePolicy',
        reason:
          'An alarm notification that could not be e-mailed is not worth keeping: the alarm state and its ' +
          'history stay in CloudWatch, where jobs-cli health and the dashboard read them, and the health alarm ' +
          'notifies again on its next change. A dead-letter queue here would be one more queue nobody reads.',
      });
    }
    return topic;
  }

  private forJob(worker: JobWorker, period: Duration, watchdog: JobWorker | undefined): JobAlarmSet {
    const job = worker.declaration;
    const scope = new Construct(this, job.name);
    const alarm = (
      id: string,
      description: string,
      props: Omit<cloudwatch.AlarmProps, 'alarmDescription'>,
    ): cloudwatch.Alarm =>
      new cloudwatch.Alarm(scope, id, {
        alarmName: `${this.prefix}-${job.name}-${id}`,
        alarmDescription: `${job.name}: ${description}`,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        ...props,
      });
    const errorRate = new cloudwatch.MathExpression({
      expression: 'IF(started > 0, 100 * failed / started, 0)',
      usingMetrics: {
        started: jobMetric(worker, JobMetricName.STARTED, { period }),
        failed: jobMetric(worker, JobMetricName.FAILED, { period }),
      },
      period,
      label: 'failed %',
    });
    const scheduled = job.schedules.length > 0 && worker !== watchdog;
    return {
      ...(scheduled
        ? {
            missedOccurrences: alarm(
              'MissedOccurrences',
              "a scheduled occurrence left no run in the ledger (see the watchdog's log, `jobs health`)",
              {
                metric: jobMetric(
                  // The watchdog writes them, per watched job, in its own namespace.
                  { jobName: job.name, metricsNamespace: (watchdog ?? worker).metricsNamespace },
                  JobMetricName.MISSED_OCCURRENCES,
                  { period },
                ),
                threshold: 1,
                comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                evaluationPeriods: 1,
              },
            ),
          }
        : {}),
      ...(worker === watchdog ? this.watchdogAlarms(worker, scope) : {}),
      deadLetters: alarm('DeadLetters', 'messages are waiting in the DLQ; fix, then `jobs redrive`', {
        metric: worker.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(1),
          statistic: 'Maximum',
        }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
      }),
      oldestMessage: alarm(
        'OldestMessage',
        `the oldest message is older than ${job.alarms.oldestMessageAgeSeconds} s`,
        {
          metric: worker.queue.metricApproximateAgeOfOldestMessage({ period, statistic: 'Maximum' }),
          threshold: job.alarms.oldestMessageAgeSeconds,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 1,
        },
      ),
      errorRate: alarm('ErrorRate', `more than ${job.alarms.errorRatePercent} % of started runs failed`, {
        metric: errorRate,
        threshold: job.alarms.errorRatePercent,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
      }),
      nearTimeout: alarm(
        'NearTimeout',
        `an invocation took over ${job.alarms.durationOfTimeout} of the ${job.timeoutSeconds} s timeout`,
        {
          metric: worker.fn.metricDuration({ period, statistic: 'Maximum' }),
          threshold: Math.round(job.alarms.durationOfTimeout * job.timeoutSeconds * 1000),
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 1,
        },
      ),
    };
  }

  /**
   * No successful check in 15 minutes. Missing data is breaching: a watchdog that stopped writes nothing. Before its
   * first check that is also true, so the composite alarm takes this one only together with WatchdogFirstCheck OK.
   */
  private watchdogAlarms(
    watchdog: JobWorker,
    scope: Construct,
  ): Pick<JobAlarmSet, 'watchdogSilent' | 'watchdogFirstCheck'> {
    const checks = jobMetric(watchdog, JobMetricName.SUCCEEDED, { period: Duration.minutes(15) });
    const common = {
      metric: checks,
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 1,
    };
    const name = (id: string): string => `${this.prefix}-${watchdog.jobName}-${id}`;
    return {
      watchdogSilent: new cloudwatch.Alarm(scope, 'WatchdogSilent', {
        ...common,
        alarmName: name('WatchdogSilent'),
        alarmDescription:
          `${watchdog.jobName}: no successful check in 15 minutes, so missed occurrences would go unseen. ` +
          'Pages (through jobs healthy) only once WatchdogFirstCheck is OK.',
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      }),
      watchdogFirstCheck: new cloudwatch.Alarm(scope, 'WatchdogFirstCheck', {
        ...common,
        alarmName: name('WatchdogFirstCheck'),
        alarmDescription:
          `${watchdog.jobName}: INSUFFICIENT_DATA until the first successful check, then OK for good (missing ` +
          'data keeps the state); never ALARM. It keeps WatchdogSilent from paging on a fresh deploy.',
        treatMissingData: cloudwatch.TreatMissingData.IGNORE,
      }),
    };
  }
}
