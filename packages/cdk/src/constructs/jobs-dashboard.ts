import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { JobMetricName, jobMetric } from './job-metrics.ts';
import type { JobWorker } from './job-worker.ts';

export interface JobsDashboardProps {
  readonly workers: readonly JobWorker[];
  /** Period of every graph. @default Duration.minutes(5) */
  readonly period?: Duration;
  /** Height of a job's row, in grid units. @default 6 */
  readonly rowHeight?: number;
  /**
   * The dashboard's name: letters, digits, `-` and `_`. @default the stack name, so each stage's dashboard is
   * told apart by name
   */
  readonly dashboardName?: string;
}

const WIDTH = 6;

/** One CloudWatch dashboard with a row per job: outcomes, duration, queue health and lag. */
export class JobsDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: JobsDashboardProps) {
    super(scope, id);
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName ?? Stack.of(this).stackName,
      defaultInterval: Duration.days(1),
    });
    for (const worker of props.workers)
      this.dashboard.addWidgets(...row(worker, props.period ?? Duration.minutes(5), props.rowHeight ?? 6));
  }
}

function row(worker: JobWorker, period: Duration, height: number): cloudwatch.IWidget[] {
  const job = worker.jobName;
  const metric = (name: JobMetricName, statistic = 'Sum', label: string = name): cloudwatch.Metric =>
    jobMetric(worker, name, { statistic, period, label });
  const graph = (title: string, left: cloudwatch.IMetric[], right: cloudwatch.IMetric[] = []): cloudwatch.GraphWidget =>
    new cloudwatch.GraphWidget({ title: `${job}: ${title}`, left, right, width: WIDTH, height });
  return [
    graph('runs', [
      metric(JobMetricName.SUCCEEDED, 'Sum', 'succeeded'),
      metric(JobMetricName.FAILED, 'Sum', 'failed'),
      metric(JobMetricName.RETRIED, 'Sum', 'retried'),
      metric(JobMetricName.DEAD_LETTERED, 'Sum', 'dead-lettered'),
      metric(JobMetricName.DUPLICATE, 'Sum', 'duplicates'),
    ]),
    graph('duration (ms)', [
      metric(JobMetricName.DURATION, 'p50', 'p50'),
      metric(JobMetricName.DURATION, 'p95', 'p95'),
    ]),
    graph(
      'queue',
      [
        worker.queue.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum', label: 'queued' }),
        worker.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum', label: 'DLQ' }),
      ],
      [worker.queue.metricApproximateAgeOfOldestMessage({ period, statistic: 'Maximum', label: 'oldest (s)' })],
    ),
    graph('lag (ms)', [
      metric(JobMetricName.LAG, 'p95', 'lag p95'),
      metric(JobMetricName.LAG, 'Maximum', 'lag max'),
      metric(JobMetricName.SCHEDULE_LATENESS, 'Maximum', 'schedule lateness max'),
    ]),
  ];
}
