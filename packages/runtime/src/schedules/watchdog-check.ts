import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { DynamoDbOccurrenceLedger } from '../adapters/dynamodb-occurrence-ledger.ts';
import type { JobLogger } from '../runtime/job-context.ts';
import type { JobQueue } from '../runtime/job-queue.ts';
import { metricsNamespace, SERVICE_NAME } from '../runtime/job-telemetry.ts';
import { runWatchdog } from './run-watchdog.ts';
import type { WatchedSchedule } from './watched-schedule.ts';

/** One run of the watchdog: the time its schedules are checked at, and how it reports. */
export interface WatchdogPass {
  /** The time the schedules run on (the local runner's clock may be virtual). */
  readonly now: number;
  readonly missedAfterMs: number;
  /** The clock its PENDING runs are stamped with. */
  readonly recordedAt: () => number;
  readonly logger: JobLogger;
}

/**
 * The watchdog's work, loaded on its first run rather than at init: the occurrence ledger, the schedules' cron
 * (croner) and one EMF line per watched job.
 */
export function watchdogCheck(
  schedules: readonly WatchedSchedule[],
  client: DynamoDBClient,
  ledgerTable: string,
  queue: JobQueue,
): (pass: WatchdogPass) => Promise<void> {
  const ledger = new DynamoDbOccurrenceLedger(client, ledgerTable);
  return async ({ now, missedAfterMs, recordedAt, logger }) => {
    const metrics = new Map<string, Metrics>();
    try {
      await runWatchdog(
        schedules,
        { ledger, send: (job, jobs) => queue.send(job, jobs), recordedAt },
        {
          now,
          missedAfterMs,
          logger,
          metrics: (job, figures) => {
            const perJob = new Metrics({
              namespace: metricsNamespace(),
              serviceName: SERVICE_NAME,
              defaultDimensions: { job },
            });
            for (const [name, value] of Object.entries(figures)) perJob.addMetric(name, MetricUnit.Count, value);
            metrics.set(job, perJob);
          },
        },
      );
    } finally {
      for (const perJob of metrics.values()) perJob.publishStoredMetrics();
    }
  };
}
