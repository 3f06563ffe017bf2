import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '@serverless-jobs/local/runner';
import { jobOutputKey, tableOutputKey } from '@serverless-jobs/runtime/contracts';
import { flakyJob } from '#test/e2e/fixtures/flaky-job';
import { clientsFor, eventually, getItem, ledgerKey, startFixtureStack } from '#test/e2e/local-stack-fixture';

describe('Local stack: a handler that keeps failing transiently', () => {
  let stack: LocalStack;

  beforeAll(async () => {
    stack = await startFixtureStack([flakyJob], () => 'test/e2e/fixtures/flaky-handler.ts', 'sj-flaky-');
  }, 120_000);

  afterAll(async () => {
    await stack?.stop(2_000);
  }, 30_000);

  it('lands in the DLQ after exactly its attempts, with the attempts and the reason, and its run DEAD', async () => {
    const { sqs, dynamodb } = clientsFor(stack.describe().endpoints as { sqs: string; dynamodb: string });
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: stack.model.outputs[jobOutputKey.queueUrl('flaky')],
        MessageBody: JSON.stringify({ id: 'always-fails', payload: { n: 1 } }),
      }),
    );
    const run = await eventually(
      async () => {
        const item = await getItem(
          dynamodb,
          stack.model.outputs[tableOutputKey('Ledger')]!,
          ledgerKey('flaky', 'always-fails'),
        );
        return item?.status === 'DEAD' ? item : undefined;
      },
      45_000,
      'the run to be DEAD',
    );
    expect(run.attempt).toBe(3);
    expect(run.errors).toHaveLength(3);
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: stack.model.outputs[jobOutputKey.dlqUrl('flaky')],
        MaxNumberOfMessages: 10,
        MessageAttributeNames: ['All'],
        WaitTimeSeconds: 2,
      }),
    );
    expect(Messages).toHaveLength(1);
    expect(Messages[0]?.MessageAttributes?.['sj-attempts']?.StringValue).toBe('3');
    expect(Messages[0]?.MessageAttributes?.['sj-reason']?.StringValue).toBe(
      'attempts exhausted (3 of 3): Error: downstream unavailable',
    );
  }, 60_000);
});
