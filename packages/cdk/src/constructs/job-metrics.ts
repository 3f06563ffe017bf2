import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { METRICS_NAMESPACE, SERVICE_NAME } from '@serverless-jobs/runtime/runtime';

/** The EMF metrics the job runtime writes, by name. */
export const JobMetricName = {
  STARTED: 'JobStarted',
  SUCCEEDED: 'JobSucceeded',
  FAILED: 'JobFailed',
  RETRIED: 'JobRetried',
  DEAD_LETTERED: 'JobDeadLettered',
  DUPLICATE: 'JobDuplicate',
  DURATION: 'JobDuration',
  LAG: 'JobLag',
  SCHEDULE_LATENESS: 'ScheduleLateness',
  /** Written by the schedule watchdog, per watched job. */
  MISSED_OCCURRENCES: 'MissedOccurrences',
  LATE_OCCURRENCES: 'LateOccurrences',
  DUPLICATE_OCCURRENCES: 'DuplicateOccurrences',
  DST_SKIPPED_OCCURRENCES: 'DstSkippedOccurrences',
} as const;

export type JobMetricName = (typeof JobMetricName)[keyof typeof JobMetricName];

export interface JobMetricOptions {
  /** @default 'Sum' */
  readonly statistic?: string;
  /** @default Duration.minutes(5) */
  readonly period?: Duration;
  /** @default - the metric name */
  readonly label?: string;
}

/**
 * One of a job's EMF metrics, with exactly the dimensions Powertools writes ({service, job}); a metric
 * asked for with other dimensions would silently show no data.
 */
export function jobMetric(job: string, metricName: JobMetricName, options: JobMetricOptions = {}): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensionsMap: { service: SERVICE_NAME, job },
    statistic: options.statistic ?? 'Sum',
    period: options.period ?? Duration.minutes(5),
    ...(options.label ? { label: options.label } : {}),
  });
}
