import type { DurableExecutionHandler, DurableLambdaHandler } from '@aws/durable-execution-sdk-js';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { runtimeClientConfig } from '../adapters/client-config.ts';
import { DynamoDbDurableRuns } from '../adapters/dynamodb-durable-runs.ts';
import { EnvVar, readFunctionEnvironment } from '../contracts/environment.ts';
import type { JobDeclaration, JobSchema } from '../jobs/job-declaration.ts';
import { systemClock } from '../runtime/clock.ts';
import { validated } from '../runtime/create-job-context.ts';
import { parseSettings } from '../runtime/create-lambda-handler.ts';
import { jobQueueOf, jobTelemetry } from '../runtime/job-telemetry.ts';
import type * as z from '../runtime/zod-mini.ts';
import type { DurableJobHandler } from './durable-job-context.ts';
import type { DurableStart } from './durable-start.ts';

/** The local runner's clock speed for waits; 1 on AWS, where the variable is never set. */
function timeScale(): number {
  const scale = Number(process.env[EnvVar.DURABLE_TIME_SCALE] ?? 1);
  return Number.isFinite(scale) && scale > 0 ? scale : 1;
}

/**
 * The Lambda entry point of a durable job's execution (the function with `durableConfig`): builds the ports once per
 * container, runs the job's handler with durable steps, waits and callbacks, and flushes one EMF line per
 * invocation. Export it beside the starter: `export const durable = createDurableHandler(job, run)`. The ports and
 * the durable SDK are built and loaded on the first invocation, so the starter, which shares the bundle, has neither.
 */
export function createDurableHandler<S extends JobSchema, C extends JobSchema>(
  job: JobDeclaration<S, C>,
  handler: DurableJobHandler<z.output<S>, z.output<C>>,
  options: { readonly dynamodb?: DynamoDBClient } = {},
): DurableLambdaHandler {
  if (!job.durable) throw new Error(`${job.name}: createDurableHandler needs a durable job (declare \`durable\`)`);
  let ports: ReturnType<typeof buildPorts> | undefined;
  const buildPorts = () => {
    const env = readFunctionEnvironment();
    return {
      ...jobTelemetry(job),
      settings: parseSettings(job, env),
      runs: new DynamoDbDurableRuns(options.dynamodb ?? new DynamoDBClient(runtimeClientConfig), env.ledgerTable),
      queue: jobQueueOf(job, env),
    };
  };
  const run: DurableExecutionHandler<DurableStart> = async (event, context) => {
    const { runDurable } = await import('./run-durable.ts');
    ports ??= buildPorts();
    const { logger, metrics, publish, settings, runs, queue } = ports;
    try {
      return await runDurable(
        {
          job,
          handler: handler as DurableJobHandler<unknown, unknown>,
          settings,
          runs,
          queue,
          clock: systemClock,
          logger,
          metrics,
          timeScale: timeScale(),
          enqueue: (target, payload, options) =>
            queue.send(target, [
              {
                id: options.id,
                ...validated(job, target, payload),
                delaySeconds: options.delaySeconds,
                traceHeader: event.traceHeader,
              },
            ]),
        },
        event,
        context,
      );
    } finally {
      publish();
    }
  };
  let wrapped: Promise<DurableLambdaHandler> | undefined;
  return async (event, context) => {
    wrapped ??= import('@aws/durable-execution-sdk-js').then(
      ({ withDurableExecution }) => withDurableExecution(run),
      (error: unknown) => {
        // Tried again on the next invocation.
        wrapped = undefined;
        throw error;
      },
    );
    return (await wrapped)(event, context);
  };
}
