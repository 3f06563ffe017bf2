import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
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
}

/**
 * Per job: messages in the DLQ, a stale backlog, the failure rate and durations near the timeout, with the
 * thresholds from the declaration. All of them, and a composite "jobs healthy" alarm over them, notify one topic.
 */
export class JobAlarms extends Construct {
  readonly topic: sns.Topic;
  readonly byJob: ReadonlyMap<string, JobAlarmSet>;
  readonly healthy: cloudwatch.CompositeAlarm;

  constructor(scope: Construct, id: string, props: JobAlarmsProps) {
    super(scope, id);
    const period = props.period ?? Duration.minutes(5);
    // Not KMS-encrypted: CloudWatch cannot publish to a topic under the AWS-managed SNS key, and alarm
    // notifications carry no job data. cdk-nag 3's AwsSolutions pack has no SNS2 rule any more.
    this.topic = new sns.Topic(this, 'Topic', { displayName: 'serverless-jobs alarms', enforceSSL: true });
    const action = new SnsAction(this.topic);
    this.byJob = new Map(props.workers.map((worker) => [worker.jobName, this.forJob(worker, period, props.watchdog)]));
    const all = [...this.byJob.values()].flatMap((set) =>
      Object.values(set).filter((alarm): alarm is cloudwatch.Alarm => alarm !== undefined),
    );
    for (const alarm of all) alarm.addAlarmAction(action);
    this.healthy = new cloudwatch.CompositeAlarm(this, 'JobsHealthy', {
      alarmDescription: 'Jobs healthy: in ALARM while any job alarm is in ALARM.',
      alarmRule: cloudwatch.AlarmRule.anyOf(...all),
    });
    this.healthy.addAlarmAction(action);
    this.healthy.addOkAction(action);
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
        alarmDescription: `${job.name}: ${description}`,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        ...props,
      });
    const errorRate = new cloudwatch.MathExpression({
      expression: 'IF(started > 0, 100 * failed / started, 0)',
      usingMetrics: {
        started: jobMetric(job.name, JobMetricName.STARTED, { period }),
        failed: jobMetric(job.name, JobMetricName.FAILED, { period }),
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
                metric: jobMetric(job.name, JobMetricName.MISSED_OCCURRENCES, { period }),
                threshold: 1,
                comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                evaluationPeriods: 1,
              },
            ),
          }
        : {}),
      ...(worker === watchdog
        ? {
            watchdogSilent: new cloudwatch.Alarm(scope, 'WatchdogSilent', {
              alarmDescription: `${job.name}: no successful check in 15 minutes, so missed occurrences would go unseen`,
              metric: jobMetric(job.name, JobMetricName.SUCCEEDED, { period: Duration.minutes(15) }),
              threshold: 1,
              comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
              evaluationPeriods: 1,
              treatMissingData: cloudwatch.TreatMissingData.BREACHING,
            }),
          }
        : {}),
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
}
