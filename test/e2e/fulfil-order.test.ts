import { LambdaClient, SendDurableExecutionCallbackSuccessCommand } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '@serverless-jobs/local/runner';
import { tableOutputKey } from '@serverless-jobs/runtime/contracts';
import {
  clientsFor,
  eventually,
  getItem,
  jobsCli,
  seedOrder,
  startAppStack,
  ledgerKey,
} from '#test/e2e/local-stack-fixture';

interface StoredEmail {
  readonly subject: string;
  readonly destination: { readonly to: readonly string[] };
}

/**
 * The reference durable job end to end, as a user drives it: npm start at 3,600 times the speed (the 24 h payment
 * timeout passes in 24 s), the real jobs CLI in a child process, e-mails in the SES emulator's store.
 */
describe('Durable job: order fulfilment under npm start', () => {
  let stack: LocalStack;
  let dataDir: string;
  const logged: string[] = [];

  const jobs = jobsCli(() => dataDir);
  const dynamodb = () => clientsFor(stack.describe().endpoints as { sqs: string; dynamodb: string }).dynamodb;
  const order = (id: string) => getItem(dynamodb(), stack.model.outputs[tableOutputKey('Orders')]!, { orderId: id });
  const run = (id: string) =>
    getItem(dynamodb(), stack.model.outputs[tableOutputKey('Ledger')]!, ledgerKey('fulfil-order', id));
  const emails = async (to: string): Promise<string[]> => {
    const store = (await (await fetch(`${stack.describe().endpoints.ses}/store`)).json()) as { emails: StoredEmail[] };
    return store.emails.filter((email) => email.destination.to.includes(to)).map((email) => email.subject);
  };
  const waiting = (id: string) =>
    eventually(async () => ((await run(id))?.callback ? true : undefined), 30_000, `${id} to wait for its payment`);
  const start = async (orderId: string): Promise<string> => {
    await seedOrder(dynamodb(), stack.model.outputs[tableOutputKey('Orders')]!, orderId, `${orderId}@example.com`);
    const id = `fulfil-${orderId}`;
    const sent = await jobs('send', 'fulfil-order', '--data', JSON.stringify({ orderId }), '--id', id);
    expect(sent.code, sent.stderr).toBe(0);
    return id;
  };

  beforeAll(async () => {
    ({ stack, dataDir } = await startAppStack('sj-fulfil-', {
      persist: false,
      clockSpeed: 3600,
      pausedSchedules: ['schedule-watchdog/every-5-minutes', 'daily-report/daily', 'cleanup/daily'],
      logFormat: 'json',
      write: (text) => void logged.push(text),
    }));
  }, 180_000);

  afterAll(async () => {
    await stack?.stop(2_000);
  }, 30_000);

  it('reserves the order, ships it when the payment callback comes from the CLI, and e-mails once', async () => {
    const id = await start('paid-1');
    await waiting(id);
    expect(await order('paid-1')).toMatchObject({ status: 'RESERVED' });
    const runs = await jobs('runs', 'fulfil-order');
    expect(runs.stdout).toMatch(
      new RegExp(`${id}\\s+RUNNING.*waiting for callback "payment" since [\\dT:-]+Z \\(jobs-cli callback\\)`),
    );
    const [listed] = JSON.parse((await jobs('runs', 'fulfil-order', '--json')).stdout) as { callbackId?: string }[];
    // Data the declared callback does not take is refused before it is sent: the run still waits, for good data.
    const typo = await jobs('callback', 'fulfil-order', id, '--data', '{"paymentId":5}');
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(
      new RegExp(`callback "payment" of fulfil-order/${id}: nothing sent: field "paymentId": .*\\(given 5\\)`),
    );
    expect(await run(id)).toMatchObject({ status: 'RUNNING', callback: { name: 'payment' } });
    const paid = await jobs('callback', 'fulfil-order', id, '--data', '{"paymentId":"pay-1"}');
    expect(paid).toMatchObject({ code: 0, stdout: `Sent the success of callback "payment" to fulfil-order/${id}\n` });
    // As on Lambda, a callback is completed once: the Lambda API itself refuses a second answer.
    const lambda = new LambdaClient({
      endpoint: stack.describe().endpoints.lambda,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    await expect(
      lambda.send(
        new SendDurableExecutionCallbackSuccessCommand({
          CallbackId: listed!.callbackId,
          Result: new TextEncoder().encode('{"paymentId":"pay-2"}'),
        }),
      ),
    ).rejects.toThrow(/completed already/);
    await eventually(async () => ((await run(id))?.status === 'SUCCEEDED' ? true : undefined), 30_000, 'the run');
    expect(await order('paid-1')).toMatchObject({ status: 'SHIPPED', paymentId: 'pay-1' });
    await eventually(async () => ((await emails('paid-1@example.com')).length > 0 ? true : undefined));
    expect(await emails('paid-1@example.com')).toEqual(['Your order paid-1 has shipped']);
    // Callbacks go to a waiting run only: the CLI says so, and sends nothing.
    const again = await jobs('callback', 'fulfil-order', id, '--data', '{"paymentId":"pay-1"}');
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(`fulfil-order/${id} is SUCCEEDED, waiting for no callback`);
  });

  it('cancels the order and e-mails the customer when no payment comes within 24 h (24 s here)', async () => {
    const id = await start('unpaid-1');
    await waiting(id);
    await eventually(async () => ((await run(id))?.status === 'SUCCEEDED' ? true : undefined), 60_000, 'the timeout');
    expect(await order('unpaid-1')).toMatchObject({ status: 'CANCELLED' });
    await eventually(async () => ((await emails('unpaid-1@example.com')).length > 0 ? true : undefined));
    expect(await emails('unpaid-1@example.com')).toEqual(['Your order unpaid-1 was cancelled']);
  }, 90_000);

  it('cancels a run that waits for its payment: CANCELLED at once, the order left reserved, no e-mail', async () => {
    const id = await start('stopped-1');
    await waiting(id);
    const cancelled = await jobs('cancel', 'fulfil-order', id);
    expect(cancelled.code, cancelled.stderr).toBe(0);
    expect(cancelled.stdout).toContain('failed now, so it stops at once');
    await eventually(
      async () =>
        logged.some((line) => line.includes(`durable execution ${id} ended: its run CANCELLED`)) ? true : undefined,
      30_000,
      'the execution to end',
    );
    expect(await run(id)).toMatchObject({ status: 'CANCELLED' });
    expect(await order('stopped-1')).toMatchObject({ status: 'RESERVED' });
    expect(await emails('stopped-1@example.com')).toEqual([]);
    expect((await jobs('cancel', 'fulfil-order', id)).code).toBe(1);
    // Its callback went with the cancel: a late payment is refused, not reported as sent.
    const late = await jobs('callback', 'fulfil-order', id, '--data', '{"paymentId":"late"}');
    expect(late.code).toBe(2);
    expect(late.stderr).toContain(`fulfil-order/${id} is CANCELLED, waiting for no callback`);
  });

  it('refuses a callback whose data is not JSON, naming the value, before sending anything', async () => {
    const result = await jobs('callback', 'fulfil-order', 'fulfil-paid-1', '--data', 'paid');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--data must be JSON (given "paid")');
  });
});
