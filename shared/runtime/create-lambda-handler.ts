import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { DynamoDbRunLedger } from '#shared/adapters/dynamodb-run-ledger';
import { LazyJobQueue } from '#shared/adapters/lazy-job-queue';
import type { JobDeclaration, JobSchema } from '#shared/jobs/job-declaration';
import { systemClock } from '#shared/runtime/clock';
import { queueUrlVariable, requireEnv } from '#shared/runtime/environment';
import type { JobHandler, JobMetrics } from '#shared/runtime/job-context';
import { processBatch } from '#shared/runtime/process-batch';
import { describeIssues } from '#shared/runtime/validation-message';
import * as z from '#shared/runtime/zod-mini';
import { runtimeClientConfig } from '#shared/adapters/client-config';

/** The service name on every log line and the `service` dimension of every metric. */
export const SERVICE_NAME = 'serverless-jobs';
export const METRICS_NAMESPACE = 'ServerlessJobs';

function parseSettings<C extends JobSchema>(job: JobDeclaration<JobSchema, C>): z.output<C> {
  const raw: unknown = JSON.parse(process.env.JOB_SETTINGS ?? '{}');
  const result = z.safeParse(job.settings, raw);
  if (!result.success) throw new Error(`JOB_SETTINGS of ${job.name}: ${describeIssues(result.error.issues, raw)}`);
  return result.data;
}

/**
 * The Lambda entry point of a job: builds the ports once per container, then runs each SQS batch
 * through the job runtime and flushes one EMF line per batch.
 */
export function createLambdaHandler<S extends JobSchema, C extends JobSchema>(
  job: JobDeclaration<S, C>,
  handler: JobHandler<z.output<S>, z.output<C>>,
  options: { readonly afterSuccess?: JobHandler<z.output<S>, z.output<C>> } = {},
): (event: SQSEvent, context: Context) => Promise<SQSBatchResponse> {
  const logger = new Logger({ serviceName: SERVICE_NAME, persistentKeys: { job: job.name } });
  const metrics = new Metrics({ namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? METRICS_NAMESPACE, serviceName: SERVICE_NAME, defaultDimensions: { job: job.name } });
  const jobMetrics: JobMetrics = {
    count: (name, value = 1) => metrics.addMetric(name, MetricUnit.Count, value),
    milliseconds: (name, value) => metrics.addMetric(name, MetricUnit.Milliseconds, value),
  };
  const settings = parseSettings(job);
  const ledger = new DynamoDbRunLedger(new DynamoDBClient(runtimeClientConfig), requireEnv('LEDGER_TABLE'));
  const urls = { ownQueueUrl: requireEnv('JOB_QUEUE_URL'), deadLetterQueueUrl: requireEnv('JOB_DLQ_URL') };
  // Its own chunk of the bundle, loaded on first use: most records of most jobs never touch SQS.
  const queue = new LazyJobQueue(async () => {
    const { createSqsJobQueue } = await import('#shared/adapters/sqs-job-queue');
    return createSqsJobQueue({ ...urls, queueUrlOf: (target) => (target === job.name ? urls.ownQueueUrl : requireEnv(queueUrlVariable(target))) });
  });
  // A job that enqueues another one sends on every run, so it starts loading SQS with the container;
  // a failed load is retried on first use.
  if (job.resources.enqueues.some((target) => target !== job.name)) void queue.ready().catch(() => undefined);
  return async (event, context) => {
    try {
      const { response } = await processBatch(
        {
          job,
          handler: handler as JobHandler<unknown, unknown>,
          afterSuccess: options.afterSuccess as JobHandler<unknown, unknown> | undefined,
          settings,
          ledger,
          queue,
          clock: systemClock,
          logger: { ...bindLogger(logger), child: (keys) => logger.createChild({ persistentKeys: keys }) },
          metrics: jobMetrics,
          remainingMs: () => context.getRemainingTimeInMillis(),
        },
        event.Records,
      );
      return response;
    } finally {
      metrics.publishStoredMetrics();
    }
  };
}

function bindLogger(logger: Logger): Pick<Logger, 'debug' | 'info' | 'warn' | 'error'> {
  return {
    debug: logger.debug.bind(logger),
    info: logger.info.bind(logger),
    warn: logger.warn.bind(logger),
    error: logger.error.bind(logger),
  };
}
