import type { EmfRecord } from '../runner/function-output.ts';
import type { MetricsMinute } from './types.ts';

const MINUTE_MS = 60_000;

/** The job a series is listed under when every job is summed. */
export const ALL_JOBS = '*';

interface Bucket {
  succeeded: number;
  failed: number;
  durations: number[];
  lags: number[];
}

/** EMF values are a number or, when a function recorded a metric more than once, an array of numbers. */
function values(document: Record<string, unknown>, name: string): number[] {
  const value = document[name];
  const list = Array.isArray(value) ? (value as unknown[]) : [value];
  return list.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
}

/** The metric names the document declares, so a stray top-level field of the same name is not counted. */
function declared(document: Record<string, unknown>): Set<string> {
  const aws = document._aws as { CloudWatchMetrics?: { Metrics?: { Name?: unknown }[] }[] } | undefined;
  const metrics = aws?.CloudWatchMetrics?.flatMap((directive) => directive.Metrics ?? []) ?? [];
  return new Set(metrics.map((metric) => metric.Name).filter((name): name is string => typeof name === 'string'));
}

/** Nearest-rank percentile; null for no samples. */
export function percentile(samples: readonly number[], p: number): number | null {
  if (samples.length === 0) return null;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

function add(
  buckets: Map<string, Map<number, Bucket>>,
  job: string,
  minute: number,
  metrics: Set<string>,
  document: Record<string, unknown>,
): void {
  const byMinute = buckets.get(job) ?? new Map<number, Bucket>();
  buckets.set(job, byMinute);
  const bucket = byMinute.get(minute) ?? { succeeded: 0, failed: 0, durations: [], lags: [] };
  byMinute.set(minute, bucket);
  const sum = (name: string): number => (metrics.has(name) ? values(document, name).reduce((a, b) => a + b, 0) : 0);
  bucket.succeeded += sum('JobSucceeded');
  bucket.failed += sum('JobFailed');
  if (metrics.has('JobDuration')) bucket.durations.push(...values(document, 'JobDuration'));
  if (metrics.has('JobLag')) bucket.lags.push(...values(document, 'JobLag'));
}

/**
 * Per job and per minute (by the EMF timestamp): runs succeeded and failed, duration and lag p50/p95.
 * Minutes with no document are left out; the `*` job sums every job.
 */
export function metricsByMinute(records: readonly EmfRecord[], since = 0): MetricsMinute[] {
  const buckets = new Map<string, Map<number, Bucket>>();
  for (const { label, document } of records) {
    const aws = document._aws as { Timestamp?: unknown } | undefined;
    const timestamp = typeof aws?.Timestamp === 'number' ? aws.Timestamp : undefined;
    if (timestamp === undefined || timestamp < since) continue;
    const job = typeof document.job === 'string' ? document.job : label;
    const minute = Math.floor(timestamp / MINUTE_MS) * MINUTE_MS;
    const metrics = declared(document);
    add(buckets, job, minute, metrics, document);
    add(buckets, ALL_JOBS, minute, metrics, document);
  }
  return [...buckets].flatMap(([job, byMinute]) =>
    [...byMinute]
      .sort(([a], [b]) => a - b)
      .map(([minute, b]) => ({
        job,
        minute,
        succeeded: b.succeeded,
        failed: b.failed,
        durationP50: percentile(b.durations, 50),
        durationP95: percentile(b.durations, 95),
        lagP50: percentile(b.lags, 50),
        lagP95: percentile(b.lags, 95),
      })),
  );
}
