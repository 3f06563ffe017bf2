import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SERVICE_NAME } from '@serverless-jobs/runtime/runtime';

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

/** Where a job's EMF metrics are: its name and the namespace its function writes to (a `JobWorker`). */
export interface JobMetricSource {
  readonly jobName: string;
  /** The function's POWERTOOLS_METRICS_NAMESPACE. */
  readonly metricsNamespace: string;
}

/**
 * One of a job's EMF metrics, in the namespace its function writes to and with exactly the dimensions Powertools
 * writes ({service, job}); a metric asked for in another namespace or with other dimensions would silently show
 * no data.
 */
export function jobMetric(
  source: JobMetricSource,
  metricName: JobMetricName,
  options: JobMetricOptions = {},
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: source.metricsNamespace,
    metricName,
    dimensionsMap: { service: SERVICE_NAME, job: source.jobName },
    statistic: options.statistic ?? 'Sum',
    period: options.period ?? Duration.minutes(5),
    ...(options.label ? { label: options.label } : {}),
  });
}

/** CloudWatch's rule for a custom namespace; `AWS/` belongs to AWS. */
const CUSTOM_NAMESPACE = /^(?!AWS\/)[0-9A-Za-z.\-_/#: ]{1,255}$/;

/**
 * Checks a namespace for the job metrics before it reaches a function's environment: CloudWatch would drop
 * every EMF line of a bad one without an error.
 * @throws Error naming the namespace
 */
export function assertMetricsNamespace(namespace: string): string {
  if (!CUSTOM_NAMESPACE.test(namespace)) {
    throw new Error(
      `metricsNamespace ${JSON.stringify(namespace)}: expected 1 to 255 letters, digits or . - _ / # : and ` +
        'spaces, not starting with "AWS/"',
    );
  }
  return namespace;
}
