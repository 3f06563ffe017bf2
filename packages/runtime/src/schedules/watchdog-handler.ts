import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { runtimeClientConfig } from '../adapters/client-config.ts';
import { DynamoDbOccurrenceLedger } from '../adapters/dynamodb-occurrence-ledger.ts';
import { createSqsJobQueue } from '../adapters/sqs-job-queue.ts';
import { readFunctionEnvironment, WATCHED_SCHEDULES_VARIABLE } from '../contracts/environment.ts';
import { createLambdaHandler, metricsNamespace, SERVICE_NAME } from '../runtime/create-lambda-handler.ts';
import { runWatchdog } from './run-watchdog.ts';
import { defineScheduleWatchdog } from './schedule-watchdog-job.ts';
import type { WatchedSchedule } from './watched-schedule.ts';

/**
 * The schedule watchdog's Lambda handler. Its schedules are compiled into its bundle by the synth (esbuild
 * replaces `process.env.WATCHED_SCHEDULES`): in the environment they would outgrow Lambda's 4 KB.
 */
export function createWatchdogHandler(): (event: SQSEvent, context: Context) => Promise<SQSBatchResponse> {
  const env = readFunctionEnvironment();
  const ledger = new DynamoDbOccurrenceLedger(new DynamoDBClient(runtimeClientConfig), env.ledgerTable);
  const queue = createSqsJobQueue({
    ownQueueUrl: env.queueUrl,
    deadLetterQueueUrl: env.deadLetterQueueUrl,
    queueUrlOf: env.queueUrlOf,
  });
  const raw = process.env.WATCHED_SCHEDULES ?? process.env[WATCHED_SCHEDULES_VARIABLE];
  if (!raw) throw new Error(`Environment variable ${WATCHED_SCHEDULES_VARIABLE} is not set`);
  const schedules = JSON.parse(raw) as WatchedSchedule[];
  // Its declaration here needs no watched job's: it sends through its own queue client, not ctx.enqueue.
  return createLambdaHandler(defineScheduleWatchdog([]), async (_payload, ctx) => {
    const metrics = new Map<string, Metrics>();
    try {
      // Its PENDING runs are stamped with the clock the runs are (on AWS, the same time).
      await runWatchdog(
        schedules,
        { ledger, send: (job, jobs) => queue.send(job, jobs), recordedAt: () => ctx.now().getTime() },
        {
          // Its own occurrence time is "now": the time the schedules run on (the local runner's clock may be virtual).
          now: ctx.occurrence ? Date.parse(ctx.occurrence.time) : ctx.now().getTime(),
          missedAfterMs: ctx.settings.missedAfterMinutes * 60_000,
          logger: ctx.logger,
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
  });
}
