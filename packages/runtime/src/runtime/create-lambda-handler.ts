import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { DynamoDbRunLedger } from '../adapters/dynamodb-run-ledger.ts';
import { LazyJobQueue } from '../adapters/lazy-job-queue.ts';
import type { JobDeclaration, JobSchema } from '../jobs/job-declaration.ts';
import { systemClock } from './clock.ts';
import { EnvVar, type FunctionEnvironment, readFunctionEnvironment } from '../contracts/environment.ts';
import type { JobHandler, JobMetrics } from './job-context.ts';
import { processBatch } from './process-batch.ts';
import { invocationTraceHeader } from './run-trace.ts';
import { describeIssues } from './validation-message.ts';
import * as z from './zod-mini.ts';
import { runtimeClientConfig } from '../adapters/client-config.ts';

/** The service name on every log line and the `service` dimension of every metric. */
export const SERVICE_NAME = 'serverless-jobs';
export const METRICS_NAMESPACE = 'ServerlessJobs';

/** The namespace the CDK set in the function's environment, else the default. */
export const metricsNamespace = (): string => process.env[EnvVar.POWERTOOLS_METRICS_NAMESPACE] ?? METRICS_NAMESPACE;

function parseSettings<C extends JobSchema>(job: JobDeclaration<JobSchema, C>, env: FunctionEnvironment): z.output<C> {
  const raw = env.settings;
  const result = z.safeParse(job.settings, raw);
  if (!result.success)
    throw new Error(`${EnvVar.JOB_SETTINGS} of ${job.name}: ${describeIssues(result.error.issues, raw)}`);
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
  const metrics = new Metrics({
    namespace: metricsNamespace(),
    serviceName: SERVICE_NAME,
    defaultDimensions: { job: job.name },
  });
  const jobMetrics: JobMetrics = {
    count: (name, value = 1) => metrics.addMetric(name, MetricUnit.Count, value),
    milliseconds: (name, value) => metrics.addMetric(name, MetricUnit.Milliseconds, value),
  };
  const env = readFunctionEnvironment();
  const settings = parseSettings(job, env);
  const ledger = new DynamoDbRunLedger(new DynamoDBClient(runtimeClientConfig), env.ledgerTable);
  const urls = { ownQueueUrl: env.queueUrl, deadLetterQueueUrl: env.deadLetterQueueUrl };
  // Its own chunk of the bundle, loaded on first use: most records of most jobs never touch SQS.
  const queue = new LazyJobQueue(async () => {
    const { createSqsJobQueue } = await import('../adapters/sqs-job-queue.ts');
    return createSqsJobQueue({
      ...urls,
      queueUrlOf: (target) => (target === job.name ? urls.ownQueueUrl : env.queueUrlOf(target)),
    });
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
          traceHeader: invocationTraceHeader,
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
