import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { DynamoDbOccurrenceLedger } from '#shared/adapters/dynamodb-occurrence-ledger';
import { createSqsJobQueue } from '#shared/adapters/sqs-job-queue';
import { scheduleWatchdogJob } from '#shared/jobs/registry';
import { createLambdaHandler, METRICS_NAMESPACE, SERVICE_NAME } from '#shared/runtime/create-lambda-handler';
import { queueUrlVariable, requireEnv, WATCHED_SCHEDULES_VARIABLE } from '#shared/runtime/environment';
import { runWatchdog } from '#shared/schedules/run-watchdog';
import type { WatchedSchedule } from '#shared/schedules/watched-schedule';
import { runtimeClientConfig } from '#shared/adapters/client-config';

// Built once per container, so warm invocations reuse the clients' connections.
const ledger = new DynamoDbOccurrenceLedger(new DynamoDBClient(runtimeClientConfig), requireEnv('LEDGER_TABLE'));
const queue = createSqsJobQueue({
  ownQueueUrl: requireEnv('JOB_QUEUE_URL'),
  deadLetterQueueUrl: requireEnv('JOB_DLQ_URL'),
  queueUrlOf: (job) => requireEnv(queueUrlVariable(job)),
});
/**
 * The schedules as synthesized, cdk.json overrides applied: the synth compiles them into this bundle (esbuild
 * replaces `process.env.WATCHED_SCHEDULES`), since in the environment they would outgrow Lambda's 4 KB.
 */
const schedules = JSON.parse(process.env.WATCHED_SCHEDULES ?? requireEnv(WATCHED_SCHEDULES_VARIABLE)) as WatchedSchedule[];

export const handler = createLambdaHandler(scheduleWatchdogJob, async (_payload, ctx) => {
  const metrics = new Map<string, Metrics>();
  try {
    // Its PENDING runs are stamped with the clock the runs are (on AWS, the same time).
    await runWatchdog(schedules, { ledger, send: (job, jobs) => queue.send(job, jobs), recordedAt: () => ctx.now().getTime() }, {
    // Its own occurrence time is "now": the time the schedules run on (the local runner's clock may be virtual).
    now: ctx.occurrence ? Date.parse(ctx.occurrence.time) : ctx.now().getTime(),
    missedAfterMs: ctx.settings.missedAfterMinutes * 60_000,
    logger: ctx.logger,
    metrics: (job, figures) => {
      const perJob = new Metrics({ namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? METRICS_NAMESPACE, serviceName: SERVICE_NAME, defaultDimensions: { job } });
      for (const [name, value] of Object.entries(figures)) perJob.addMetric(name, MetricUnit.Count, value);
      metrics.set(job, perJob);
    },
    });
  } finally {
    for (const perJob of metrics.values()) perJob.publishStoredMetrics();
  }
});
