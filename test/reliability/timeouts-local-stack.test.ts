import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '@serverless-jobs/local/runner';
import { jobOutputKey, tableOutputKey } from '@serverless-jobs/runtime/contracts';
import { clientsFor, eventually, getItem, ledgerKey, startFixtureStack } from '#test/e2e/local-stack-fixture';
import { slowEmailJob } from '#test/reliability/fixtures/slow-email-job';

describe('Reliability matrix 3 (runner level): a Lambda killed at its Timeout by the local runner', () => {
  let stack: LocalStack;

  beforeAll(async () => {
    stack = await startFixtureStack(
      [slowEmailJob],
      () => 'test/reliability/fixtures/slow-email-handler.ts',
      'sj-slow-',
    );
  }, 120_000);

  afterAll(async () => {
    await stack?.stop(2_000);
  }, 30_000);

  it('3 (runner): the first attempt is killed past its Timeout; the job runs again after the lease ' +
    'and sends one e-mail', async () => {
    const endpoints = stack.describe().endpoints as { sqs: string; dynamodb: string; ses: string };
    const { sqs, dynamodb } = clientsFor(endpoints);
    const to = `slow-${Date.now()}@example.com`;
    const sentAt = Date.now();
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: stack.model.outputs[jobOutputKey.queueUrl('slow-email')],
        MessageBody: JSON.stringify({ id: 'slow-1', payload: { to } }),
      }),
    );
    const ledger = stack.model.outputs[tableOutputKey('Ledger')]!;
    const running = await eventually(
      async () => {
        const item = await getItem(dynamodb, ledger, ledgerKey('slow-email', 'slow-1'));
        return item?.status === 'RUNNING' ? item : undefined;
      },
      20_000,
      'the first attempt to claim the run',
    );
    expect(running).toMatchObject({ attempt: 1, fence: 1 });
    const run = await eventually(
      async () => {
        const item = await getItem(dynamodb, ledger, ledgerKey('slow-email', 'slow-1'));
        return item?.status === 'SUCCEEDED' ? item : undefined;
      },
      75_000,
      'the run to succeed',
    );
    // Not before the lease of the killed attempt ended (5 s Timeout + 30 s grace after its claim).
    expect(Date.now() - sentAt).toBeGreaterThan(35_000);
    expect(run).toMatchObject({ attempt: 2, fence: 2 });
    const mails = (
      (await (await fetch(`${endpoints.ses}/store`)).json()) as {
        emails: { destination: { to: string[] }; subject: string }[];
      }
    ).emails.filter((m) => m.destination.to.includes(to));
    expect(mails.map((m) => m.subject)).toEqual(['attempt 2']);
  }, 100_000);
});
