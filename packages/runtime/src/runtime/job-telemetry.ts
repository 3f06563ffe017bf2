import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { LazyJobQueue } from '../adapters/lazy-job-queue.ts';
import { EnvVar, type FunctionEnvironment } from '../contracts/environment.ts';
import type { JobDeclaration } from '../jobs/job-declaration.ts';
import type { JobLogger, JobMetrics } from './job-context.ts';
import type { RuntimeLogger } from './runtime-deps.ts';

/** The service name on every log line and the `service` dimension of every metric. */
export const SERVICE_NAME = 'serverless-jobs';
export const METRICS_NAMESPACE = 'ServerlessJobs';

/** The namespace the CDK set in the function's environment, else the default. */
export const metricsNamespace = (): string => process.env[EnvVar.POWERTOOLS_METRICS_NAMESPACE] ?? METRICS_NAMESPACE;

/** A job function's logger and metrics (Powertools), built once per container; `publish` flushes one EMF line. */
export function jobTelemetry(job: JobDeclaration): {
  readonly logger: RuntimeLogger;
  readonly metrics: JobMetrics;
  readonly publish: () => void;
} {
  const logger = new Logger({ serviceName: SERVICE_NAME, persistentKeys: { job: job.name } });
  const metrics = new Metrics({
    namespace: metricsNamespace(),
    serviceName: SERVICE_NAME,
    defaultDimensions: { job: job.name },
  });
  return {
    logger: {
      debug: logger.debug.bind(logger),
      info: logger.info.bind(logger),
      warn: logger.warn.bind(logger),
      error: logger.error.bind(logger),
      child: (keys) => withKeys(logger, keys),
    },
    metrics: {
      count: (name, value = 1) => metrics.addMetric(name, MetricUnit.Count, value),
      milliseconds: (name, value) => metrics.addMetric(name, MetricUnit.Milliseconds, value),
    },
    publish: () => metrics.publishStoredMetrics(),
  };
}

/**
 * A logger whose every line carries `keys`, ahead of the line's own, as a Powertools child's persistent keys would:
 * the same line, without building a Logger (and its Console) for every record. createChild took 5% of a sandbox's
 * CPU end to end.
 */
function withKeys(logger: Logger, keys: Record<string, unknown>): JobLogger {
  return {
    debug: (message, ...extra) => logger.debug(message, keys, ...extra),
    info: (message, ...extra) => logger.info(message, keys, ...extra),
    warn: (message, ...extra) => logger.warn(message, keys, ...extra),
    error: (message, ...extra) => logger.error(message, keys, ...extra),
  };
}

/**
 * Whether a job's function loads its SQS client at init: one that enqueues another job sends on every run, so it
 * starts loading SQS with the container instead of inside its first run.
 */
export function loadsQueueAtInit(job: JobDeclaration): boolean {
  return job.resources.enqueues.some((target) => target !== job.name);
}

/**
 * The job's queues as the runtime uses them (its own, its DLQ, the jobs it enqueues), the SQS adapter loaded on
 * first use (most records of most jobs never touch SQS), or at init when `loadsQueueAtInit`.
 */
export function jobQueueOf(job: JobDeclaration, env: FunctionEnvironment): LazyJobQueue {
  const urls = { ownQueueUrl: env.queueUrl, deadLetterQueueUrl: env.deadLetterQueueUrl };
  const queue = new LazyJobQueue(async () => {
    const { createSqsJobQueue } = await import('../adapters/sqs-job-queue.ts');
    return createSqsJobQueue({
      ...urls,
      queueUrlOf: (target) => (target === job.name ? urls.ownQueueUrl : env.queueUrlOf(target)),
    });
  });
  // A failed load at init is retried on first use.
  if (loadsQueueAtInit(job)) void queue.ready().catch(() => undefined);
  return queue;
}
