import { type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import {
  type LambdaClient,
  SendDurableExecutionCallbackFailureCommand,
  SendDurableExecutionCallbackSuccessCommand,
  StopDurableExecutionCommand,
} from '@aws-sdk/client-lambda';
import { type CancelAnswer, runKey, str } from '@serverless-jobs/runtime/adapters';
import type { JobDeclaration } from '@serverless-jobs/runtime/jobs';
import { describeIssues } from '@serverless-jobs/runtime/runtime';
import * as z from '@serverless-jobs/runtime/zod';
import { OpsInputError } from './errors.ts';
import { cancelJobRun } from './run-history.ts';

/** What `jobs callback` sends: the data (JSON) a waiting step gets, or a failure with its reason. */
export type CallbackOutcome = { readonly data: string } | { readonly failure: string };

export interface CallbackAnswer {
  readonly job: string;
  readonly jobId: string;
  /** The callback's name in the job (`payment`) and its ID. */
  readonly callback: string;
  readonly callbackId: string;
  readonly sent: 'success' | 'failure';
}

/** The reason a cancelled run's pending callback is failed with, so its execution stops at once. */
export const CANCEL_REASON = 'run cancelled by an operator';

function lambdaOf(lambda: LambdaClient | undefined, job: JobDeclaration): LambdaClient {
  if (lambda) return lambda;
  throw new OpsInputError(`${job.name}: no Lambda endpoint to reach its durable executions (is npm start too old?)`);
}

/**
 * Completes the callback a durable run waits for (`jobs callback <job> <job ID> --data …`): the run's item names it.
 * Refused, saying why, for a job that is not durable, a run that is not there, one that waits for no callback, and
 * data that is not JSON or does not match the schema the job declares for that callback (nothing is sent).
 */
export async function sendJobCallback(
  clients: { readonly dynamodb: DynamoDBClient; readonly lambda?: LambdaClient },
  ledgerTable: string,
  job: JobDeclaration,
  jobId: string,
  outcome: CallbackOutcome,
): Promise<CallbackAnswer> {
  if (!job.durable) throw new OpsInputError(`${job.name} is not a durable job: its runs wait for no callback`);
  let data: unknown;
  if ('data' in outcome) {
    try {
      data = JSON.parse(outcome.data);
    } catch (error) {
      throw new OpsInputError(
        `--data must be JSON (given ${JSON.stringify(outcome.data)}): ${(error as Error).message}`,
      );
    }
  }
  const { Item } = await clients.dynamodb.send(
    new GetItemCommand({
      TableName: ledgerTable,
      Key: runKey({ job: job.name, id: jobId }),
      ConsistentRead: true,
    }),
  );
  const status = str(Item, 'status');
  if (!Item) throw new OpsInputError(`${job.name} has no run "${jobId}"`);
  const callback = Item.callback?.M;
  const [name, callbackId] = [str(callback, 'name'), str(callback, 'id')];
  if (status !== 'RUNNING' || !name || !callbackId)
    throw new OpsInputError(`${job.name}/${jobId} is ${status}, waiting for no callback`);
  const schema = job.durable.callbacks.find((declared) => declared.name === name)?.data;
  const checked = 'data' in outcome && schema ? z.safeParse(schema, data) : undefined;
  if (checked && !checked.success)
    throw new OpsInputError(
      `callback "${name}" of ${job.name}/${jobId}: nothing sent: ${describeIssues(checked.error.issues, data)}`,
    );
  const lambda = lambdaOf(clients.lambda, job);
  try {
    await lambda.send(
      'data' in outcome
        ? new SendDurableExecutionCallbackSuccessCommand({
            CallbackId: callbackId,
            Result: new TextEncoder().encode(outcome.data),
          })
        : new SendDurableExecutionCallbackFailureCommand({
            CallbackId: callbackId,
            Error: { ErrorType: 'CallbackFailure', ErrorMessage: outcome.failure },
          }),
    );
  } catch (error) {
    if (!isNotFound(error)) throw error;
    throw new OpsInputError(
      `${job.name}/${jobId} waits for callback "${name}" by its ledger item, but Lambda has no such callback ` +
        `waiting (${(error as Error).message}): it was answered already, or the run's execution ended (locally, ` +
        'also when npm start stopped while it waited); then jobs-cli cancel ends the run',
    );
  }
  return { job: job.name, jobId, callback: name, callbackId, sent: 'data' in outcome ? 'success' : 'failure' };
}

/**
 * Cancels a run (see cancelRun), then ends a durable run's execution: a callback it waits for is failed with the
 * reason, so it stops at once, CANCELLED; else the execution is stopped (StopDurableExecution; locally it stops at its
 * next step, when its wait ends).
 */
export async function cancelJob(
  clients: { readonly dynamodb: DynamoDBClient; readonly lambda?: LambdaClient },
  ledgerTable: string,
  job: JobDeclaration,
  jobId: string,
): Promise<CancelAnswer> {
  const answer = await cancelJobRun(clients.dynamodb, ledgerTable, job, jobId);
  if (!answer.cancelled || !answer.execution || !clients.lambda) return answer;
  const { arn, callbackId } = answer.execution;
  const error = { ErrorType: 'RunCancelled', ErrorMessage: CANCEL_REASON };
  try {
    if (callbackId)
      await clients.lambda.send(
        new SendDurableExecutionCallbackFailureCommand({ CallbackId: callbackId, Error: error }),
      );
    else if (arn)
      await clients.lambda.send(new StopDurableExecutionCommand({ DurableExecutionArn: arn, Error: error }));
  } catch (failed) {
    // The run is CANCELLED all the same: an execution still running stops at its next step.
    if (isNotFound(failed)) return { ...answer, notFound: callbackId ? 'callback' : 'execution' };
    // npm start's Lambda endpoint serves no StopDurableExecution: its runner cannot stop an execution in a wait.
    if (!callbackId && failed instanceof Error && failed.name === 'UnsupportedOperation')
      return { ...answer, stopsAtNextStep: true };
    throw failed;
  }
  return answer;
}

const isNotFound = (error: unknown): boolean => error instanceof Error && error.name === 'ResourceNotFoundException';
