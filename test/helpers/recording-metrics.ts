import type { JobMetrics, MetricName } from '@serverless-jobs/runtime/runtime';

/** Metrics kept in memory, so a test can assert what a batch counted. */
export class RecordingMetrics implements JobMetrics {
  readonly values = new Map<MetricName, number[]>();

  count(name: MetricName, value = 1): void {
    this.values.set(name, [...(this.values.get(name) ?? []), value]);
  }

  milliseconds(name: MetricName, value: number): void {
    this.count(name, value);
  }

  total(name: MetricName): number {
    return (this.values.get(name) ?? []).reduce((sum, value) => sum + value, 0);
  }
}
