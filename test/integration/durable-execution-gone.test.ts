import { WaitingOperationStatus, LocalDurableTestRunner } from '@aws/durable-execution-sdk-js-testing';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import {
  LambdaClient,
  LambdaServiceException,
  ResourceNotFoundException,
  SendDurableExecutionCallbackFailureCommand,
  SendDurableExecutionCallbackSuccessCommand,
  StopDurableExecutionCommand,
} from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cancelJob, sendJobCallback } from '@serverless-jobs/cli/ops';
import { defineJob } from '@serverless-jobs/runtime/jobs';
import * as z from '@serverless-jobs/runtime/zod';
import { dynamo } from '#test/helpers/aws';
import { createDurableFixture } from '#test/helpers/durable-fixture';
import { createRuntimeFixture, runKey } from '#test/helpers/runtime-fixture';

const job = defineJob({
  name: 'waiting-job',
  description: 'A durable job that waits for a callback (test fixture).',
  payload: z.strictObject({ n: z.number() }),
  durable: { executionTimeout: '2d' },
});

beforeAll(() => LocalDurableTestRunner.setupTestEnvironment());
afterAll(() => LocalDurableTestRunner.teardownTestEnvironment());

/**
 * A run's item says it waits for a callback, but its execution is not there: it ended, or npm start stopped while it
 * waited (the local durable runner keeps executions in memory). Lambda answers ResourceNotFoundException.
 */
describe('The CLI on a durable run whose execution is gone (DynamoDB Local, the testing SDK, Lambda mocked)', () => {
  it('refuses a callback with Lambda’s reason, and cancels the run, saying the callback was gone', async () => {
    const f = await createDurableFixture(job, async (_payload, ctx) => {
      await ctx.waitForCallback('payment', { timeout: '1h' });
    });
    const started = (await f.deliver('gone', { n: 1 }))!;
    const payment = started.runner.getOperation('payment');
    await payment.waitForData(WaitingOperationStatus.SUBMITTED);
    await expect.poll(async () => (await f.run(runKey({ job: job.name, id: 'gone' })))?.callback).toBeDefined();

    const lambda = mockClient(LambdaClient);
    const notFound = new ResourceNotFoundException({ message: 'Execution not found', $metadata: {} });
    lambda.on(SendDurableExecutionCallbackSuccessCommand).rejects(notFound);
    lambda.on(SendDurableExecutionCallbackFailureCommand).rejects(notFound);
    const clients = { dynamodb: dynamo(), lambda: new LambdaClient({}) };
    try {
      await expect(sendJobCallback(clients, f.ledgerName, job, 'gone', { data: '{}' })).rejects.toThrow(
        'waiting-job/gone waits for callback "payment" by its ledger item, but Lambda has no such callback waiting ' +
          '(Execution not found)',
      );
      expect(await cancelJob(clients, f.ledgerName, job, 'gone')).toMatchObject({
        cancelled: true,
        was: 'RUNNING',
        notFound: 'callback',
      });
      expect(await f.run(runKey({ job: job.name, id: 'gone' }))).toMatchObject({ status: 'CANCELLED' });
    } finally {
      lambda.restore();
      await payment.sendCallbackFailure({ ErrorMessage: 'test over' });
      await started.execution;
    }
  });

  it('cancels a run in a wait that npm start cannot stop, saying it stops at its next step', async () => {
    const f = await createRuntimeFixture();
    const arn = 'arn:aws:lambda:us-east-1:000000000000:function:waiting:live/durable-execution/w-1/e';
    await dynamo().send(
      new PutItemCommand({
        TableName: f.ledgerName,
        Item: {
          ...runKey({ job: job.name, id: 'w-1' }),
          ...{ job: { S: job.name }, id: { S: 'w-1' }, status: { S: 'RUNNING' }, executionArn: { S: arn } },
          ...{ attempt: { N: '1' }, fence: { N: '1' }, createdAt: { S: new Date().toISOString() } },
        },
      }),
    );
    const lambda = mockClient(LambdaClient);
    lambda
      .on(StopDurableExecutionCommand)
      .rejects(new LambdaServiceException({ name: 'UnsupportedOperation', $fault: 'client', $metadata: {} }));
    try {
      expect(await cancelJob({ dynamodb: dynamo(), lambda: new LambdaClient({}) }, f.ledgerName, job, 'w-1')).toEqual({
        cancelled: true,
        was: 'RUNNING',
        execution: { arn },
        stopsAtNextStep: true,
      });
      expect(lambda.commandCalls(StopDurableExecutionCommand)[0]?.args[0].input.DurableExecutionArn).toBe(arn);
      expect(await f.run(runKey({ job: job.name, id: 'w-1' }))).toMatchObject({ status: 'CANCELLED' });
    } finally {
      lambda.restore();
    }
  });
});
