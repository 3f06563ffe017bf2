import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { runtimeClientConfig } from '../adapters/client-config.ts';
import { DynamoDbDurableRuns } from '../adapters/dynamodb-durable-runs.ts';
import { EnvVar, readFunctionEnvironment, requireEnv } from '../contracts/environment.ts';
import type { JobDeclaration, JobSchema } from '../jobs/job-declaration.ts';
import { systemClock } from '../runtime/clock.ts';
import { createLambdaHandler } from '../runtime/create-lambda-handler.ts';
import { PermanentJobError } from '../runtime/errors.ts';
import { type DurableStart, executionName } from './durable-start.ts';

/** The lease of a run from its hand-over until its execution takes it: the execution's timeout, and a minute. */
const HAND_OVER_GRACE_MS = 60_000;

/**
 * The Lambda entry point of a durable job's queue (its starter): validates each message as any job does (a bad one
 * goes to the DLQ with the reason), claims the run in the ledger, then starts the run's durable execution
 * asynchronously under the job ID as its name and hands the run over to it. An event source mapping invokes its
 * function synchronously, which would hold a durable execution to 15 minutes; started with InvocationType Event,
 * the execution may run for up to its `executionTimeout` (a year at most). A second start of the same name, with
 * the same start event, is the same execution: a redelivered message starts nothing new.
 */
export function createDurableStarter<S extends JobSchema, C extends JobSchema>(
  job: JobDeclaration<S, C>,
  options: { readonly dynamodb?: DynamoDBClient } = {},
): (event: SQSEvent, context: Context) => Promise<SQSBatchResponse> {
  const durable = job.durable;
  if (!durable) throw new Error(`${job.name}: createDurableStarter needs a durable job (declare \`durable\`)`);
  // One client for the hand-overs and the ledger (createLambdaHandler's `dynamodb`).
  const dynamodb = options.dynamodb ?? new DynamoDBClient(runtimeClientConfig);
  const runs = new DynamoDbDurableRuns(dynamodb, readFunctionEnvironment().ledgerTable);
  let lambda: Promise<LambdaClient> | undefined;
  const client = (): Promise<LambdaClient> => {
    lambda ??= import('@aws-sdk/client-lambda').then(({ LambdaClient }) => new LambdaClient(runtimeClientConfig));
    return lambda;
  };
  return createLambdaHandler(
    job,
    async () => {
      throw new PermanentJobError(`${job.name}: a durable job's starter runs no handler`);
    },
    {
      dynamodb,
      handOver: async (run, payload, message) => {
        const name = executionName(run.key.id, run.redrives ?? 0);
        const start: DurableStart = {
          jobId: run.key.id,
          payload,
          executionName: name,
          ...(message.enqueuedAt === undefined ? {} : { enqueuedAt: new Date(message.enqueuedAt).toISOString() }),
          // Without the invocation's lineage, which differs from one delivery to the next: a second start of the
          // same run must carry the same start event to be the same execution.
          ...(run.trace?.header === undefined ? {} : { traceHeader: run.trace.header.replace(/;Lineage=[^;]*/, '') }),
        };
        const { InvokeCommand } = await import('@aws-sdk/client-lambda');
        let arn: string | undefined;
        try {
          const answer = await (await client()).send(
            new InvokeCommand({
              FunctionName: requireEnv(EnvVar.DURABLE_FUNCTION),
              InvocationType: 'Event',
              DurableExecutionName: name,
              Payload: new TextEncoder().encode(JSON.stringify(start)),
            }),
          );
          arn = answer.DurableExecutionArn;
        } catch (error) {
          // Started already under this name (with another start event): that execution is the run's.
          if (!(error instanceof Error && error.name === 'DurableExecutionAlreadyStartedException')) throw error;
        }
        const now = systemClock.now();
        return runs.handOver(run.key, run.fence, {
          now,
          leaseExpiresAt: now + durable.executionTimeoutSeconds * 1000 + HAND_OVER_GRACE_MS,
          name,
          arn,
        });
      },
    },
  );
}
