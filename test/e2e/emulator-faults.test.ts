import { rmSync } from 'node:fs';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '@serverless-jobs/local/runner';
import { jobOutputKey, tableOutputKey } from '@serverless-jobs/runtime/contracts';
import {
  clientsFor,
  eventually,
  getItem,
  isRunning,
  seedOrder,
  startAppStack,
  ledgerKey,
} from '#test/e2e/local-stack-fixture';

describe('npm start, when an emulator itself fails', () => {
  let dataDir: string;
  let stack: LocalStack;
  const output: string[] = [];

  beforeAll(async () => {
    ({ stack, dataDir } = await startAppStack('sj-faults-', {
      pausedSchedules: ['schedule-watchdog/every-5-minutes'],
      dashboard: false,
      write: (text) => void output.push(text),
    }));
  }, 180_000);

  afterAll(async () => {
    await stack?.stop(2_000);
    rmSync(dataDir, { recursive: true, force: true });
  }, 30_000);

  /** Sends an order for processing and waits for its run to succeed. */
  const processOrder = async (orderId: string, delaySeconds = 0) => {
    const outputs = stack.model.outputs;
    const { sqs, dynamodb } = clientsFor(stack.describe().endpoints as { sqs: string; dynamodb: string });
    await seedOrder(dynamodb, outputs[tableOutputKey('Orders')]!, orderId, `${orderId}@example.com`);
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: outputs[jobOutputKey.queueUrl('process-order')],
        MessageBody: JSON.stringify({ id: orderId, payload: { orderId } }),
        DelaySeconds: delaySeconds,
      }),
    );
  };
  const succeeded = (orderId: string) => {
    const { dynamodb } = clientsFor(stack.describe().endpoints as { sqs: string; dynamodb: string });
    const ledger = stack.model.outputs[tableOutputKey('Ledger')]!;
    return eventually(
      async () => {
        const run = await getItem(dynamodb, ledger, ledgerKey('process-order', orderId)).catch(() => undefined);
        return run?.status === 'SUCCEEDED' ? run : undefined;
      },
      60_000,
      `process-order/${orderId} to succeed`,
    );
  };
  const printed = () => output.join('').replace(/\u001b\[[0-9;]*m/g, '');

  it('starts DynamoDB Local again after a SIGKILL, on its port, with its data, and says so', async () => {
    await processOrder('before-kill');
    await succeeded('before-kill');
    const killed = stack.emulators.dynamodb.pid;
    process.kill(killed, 'SIGKILL');
    await eventually(
      async () =>
        /DynamoDB Local was killed \(SIGKILL\); restarted in [\d.]+ s as PID \d+/.test(printed()) || undefined,
      60_000,
      'the restart to be reported',
    );
    expect(stack.emulators.dynamodb.pid).not.toBe(killed);
    expect(isRunning(stack.emulators.dynamodb.pid)).toBe(true);
    expect(stack.describe().childPids).toContain(stack.emulators.dynamodb.pid);
    // The run from before the kill is still in the ledger, and a new job runs through the restarted database.
    await succeeded('before-kill');
    await processOrder('after-kill');
    await succeeded('after-kill');
  }, 120_000);

  it('keeps a delayed message across a restart of the SQS emulator, and the pollers carry on', async () => {
    await processOrder('across-sqs-restart', 3);
    await stack.restartSqs();
    expect(printed()).toMatch(/SQS \(fauxqs\) restarted: down \d+ ms/);
    await succeeded('across-sqs-restart');
  }, 120_000);
});
