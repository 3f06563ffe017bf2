import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { DynamoDbRunLedger } from '../adapters/dynamodb-run-ledger.ts';
import type { JobDeclaration, JobSchema } from '../jobs/job-declaration.ts';
import { systemClock } from './clock.ts';
import { EnvVar, type FunctionEnvironment, readFunctionEnvironment } from '../contracts/environment.ts';
import type { JobHandler } from './job-context.ts';
import { jobQueueOf, jobTelemetry } from './job-telemetry.ts';
import type { RuntimeDeps } from './runtime-deps.ts';
import { processBatch } from './process-batch.ts';
import { invocationTraceHeader } from './run-trace.ts';
import { describeIssues } from './validation-message.ts';
import * as z from './zod-mini.ts';
import { runtimeClientConfig } from '../adapters/client-config.ts';

export { loadsQueueAtInit, METRICS_NAMESPACE, metricsNamespace, SERVICE_NAME } from './job-telemetry.ts';

export function parseSettings<C extends JobSchema>(
  job: JobDeclaration<JobSchema, C>,
  env: FunctionEnvironment,
): z.output<C> {
  const raw = env.settings;
  const result = z.safeParse(job.settings, raw);
  if (!result.success)
    throw new Error(`${EnvVar.JOB_SETTINGS} of ${job.name}: ${describeIssues(result.error.issues, raw)}`);
  return result.data;
}

/** What a job's entry point may be given besides its handler. */
export interface LambdaHandlerOptions<P, C> {
  readonly afterSuccess?: JobHandler<P, C>;
  /** A durable job's starter (createDurableStarter): hands each run over to its execution. */
  readonly handOver?: RuntimeDeps['handOver'];
  /**
   * The function's own DynamoDB client, for the ledger to share: one connection pool and, at a cold start, one
   * TLS handshake instead of two. Build it with `runtimeClientConfig`. @default a client of the ledger's own
   */
  readonly dynamodb?: DynamoDBClient;
}

/**
 * The Lambda entry point of a job: builds the ports once per container, then runs each SQS batch
 * through the job runtime and flushes one EMF line per batch.
 */
export function createLambdaHandler<S extends JobSchema, C extends JobSchema>(
  job: JobDeclaration<S, C>,
  handler: JobHandler<z.output<S>, z.output<C>>,
  options: LambdaHandlerOptions<z.output<S>, z.output<C>> = {},
): (event: SQSEvent, context: Context) => Promise<SQSBatchResponse> {
  const { logger, metrics, publish } = jobTelemetry(job);
  const env = readFunctionEnvironment();
  const settings = parseSettings(job, env);
  const ledger = new DynamoDbRunLedger(options.dynamodb ?? new DynamoDBClient(runtimeClientConfig), env.ledgerTable);
  const queue = jobQueueOf(job, env);
  return async (event, context) => {
    try {
      const { response } = await processBatch(
        {
          job,
          handler: handler as JobHandler<unknown, unknown>,
          afterSuccess: options.afterSuccess as JobHandler<unknown, unknown> | undefined,
          handOver: options.handOver,
          settings,
          ledger,
          queue,
          clock: systemClock,
          logger,
          metrics,
          remainingMs: () => context.getRemainingTimeInMillis(),
          traceHeader: invocationTraceHeader,
        },
        event.Records,
      );
      return response;
    } finally {
      publish();
    }
  };
}
