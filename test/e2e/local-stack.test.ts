import { jobRunItems } from '@serverless-jobs/runtime/adapters';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReceiveMessageCommand, SendMessageBatchCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emulatorEnvironment } from '@serverless-jobs/local/runner';
import { defaultLanes, LocalStack } from '@serverless-jobs/local/runner';
import { jobOutputKey, tableOutputKey } from '@serverless-jobs/runtime/contracts';
import {
  clientsFor,
  eventually,
  getItem,
  isRunning,
  ROOT,
  seedOrder,
  synthesizedApp,
  ledgerKey,
} from '#test/e2e/local-stack-fixture';
import { allJobs } from '#shared/jobs/registry';

const awsCli = ['/usr/bin/aws', 'aws'].find((bin) => spawnSync(bin, ['--version']).status === 0);

describe('Local stack: npm start on the synthesized template', () => {
  let cdkOut: string;
  let dataDir: string;
  let stack: LocalStack;
  let readyMs: number;
  const output: string[] = [];
  const start = () =>
    LocalStack.start({
      root: ROOT,
      jobs: allJobs,
      cdkOut,
      synth: 'never',
      dataDir,
      // A virtual day passes in 24 s; the clock starts 30 s before cleanup's 02:00.
      clockSpeed: 3600,
      startAt: Date.parse('2026-11-24T01:59:30Z'),
      // At 3600×, a 5-minute watchdog would fire every 83 ms; its own test fires it by hand.
      pausedSchedules: ['schedule-watchdog/every-5-minutes'],
      write: (text) => void output.push(text),
    });

  beforeAll(async () => {
    cdkOut = synthesizedApp();
    dataDir = mkdtempSync(join(tmpdir(), 'sj-local-'));
    const began = Date.now();
    stack = await start();
    readyMs = Date.now() - began;
  }, 180_000);

  afterAll(async () => {
    await stack?.stop(2_000);
  }, 30_000);

  const out = () => stack.model.outputs;
  const clients = () => clientsFor(stack.describe().endpoints as { sqs: string; dynamodb: string });

  it('is ready within 60 s of a synthesized template, with every table, queue, mapping and schedule', () => {
    expect(readyMs).toBeLessThan(60_000);
    // fulfil-order is durable: its starter and its execution function.
    expect(stack.model.functions.map((fn) => fn.label).sort()).toEqual([
      'bulk-email',
      'cleanup',
      'daily-report',
      'fulfil-order',
      'fulfil-order',
      'monthly-report',
      'process-order',
      'schedule-watchdog',
      'send-email',
    ]);
    expect(stack.model.mappings).toHaveLength(8);
    // Each mapping's lanes: its maximum concurrency, capped at the runner's 2 per core.
    const lanes = Object.fromEntries(stack.pollers.map((poller) => [poller.functionLabel, poller.laneCount]));
    expect(lanes).toMatchObject({
      'send-email': Math.min(10, defaultLanes()),
      'process-order': Math.min(5, defaultLanes()),
      'daily-report': 2,
    });
    expect(stack.model.schedules.map((s) => s.expression).sort()).toEqual([
      'cron(0 0 1 * ? *)',
      'cron(0 2 * * ? *)',
      'cron(0 6 * * ? *)',
      'rate(5 minutes)',
    ]);
    expect(out()[jobOutputKey.queueUrl('process-order')]).toMatch(
      /^http:\/\/sqs\.us-east-1\.localhost:\d+\/000000000000\//,
    );
  });

  it('processes an order sent with the AWS CLI, using only the printed endpoints, and its e-mail ' +
    'reaches the SES store', async () => {
    const { dynamodb } = clients();
    const { sqs: sqsEndpoint, ses } = stack.describe().endpoints as Record<string, string>;
    const ordersTable = out()[tableOutputKey('Orders')]!;
    await seedOrder(dynamodb, ordersTable, 'cli-1', 'cli-buyer@example.com');
    const body = '{"orderId":"cli-1"}';
    const queueUrl = out()[jobOutputKey.queueUrl('process-order')]!;
    if (awsCli) {
      // What the ready line tells the user to export (AWS CLI v1 needs AWS_DEFAULT_REGION among them).
      const env = { PATH: process.env.PATH, HOME: tmpdir(), ...emulatorEnvironment(stack.emulators) };
      // Asynchronously: the emulators answer from this very process.
      await promisify(execFile)(
        awsCli,
        ['sqs', 'send-message', '--endpoint-url', sqsEndpoint!, '--queue-url', queueUrl, '--message-body', body],
        { env },
      );
    } else {
      expect(process.env.CI, 'CI installs the AWS CLI').toBeUndefined();
      await clients().sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
    }
    const order = await eventually(
      async () => {
        const item = await getItem(dynamodb, ordersTable, { orderId: 'cli-1' });
        return item?.status === 'PROCESSED' ? item : undefined;
      },
      30_000,
      'the order to be processed',
    );
    expect(order.processedAt).toEqual(expect.any(String));
    const mail = await eventually(
      async () => {
        const { emails } = (await (await fetch(`${ses}/store`)).json()) as {
          emails: { destination: { to: string[] }; subject: string }[];
        };
        return emails.find((e) => e.destination.to.includes('cli-buyer@example.com'));
      },
      30_000,
      'the confirmation e-mail',
    );
    expect(mail.subject).toBe('Your order cli-1 is confirmed');
    const runs = await eventually(
      async () => {
        const items = [];
        for await (const item of jobRunItems(dynamodb, out()[tableOutputKey('Ledger')]!, 'process-order'))
          items.push(item);
        return items.length > 0 ? items : undefined;
      },
      10_000,
      'the process-order run',
    );
    expect(runs.map((item) => item.status?.S)).toEqual(['SUCCEEDED']);
    expect(output.join('')).toMatch(/\[process-order\].*Batch settled succeeded=\["[^"]+"\]/);
  }, 60_000);

  it('sends a payload that fails validation to the DLQ with its reason, and its batch siblings succeed', async () => {
    const { dynamodb, sqs } = clients();
    const ordersTable = out()[tableOutputKey('Orders')]!;
    await seedOrder(dynamodb, ordersTable, 'sib-1', 'sib1@example.com');
    await seedOrder(dynamodb, ordersTable, 'sib-2', 'sib2@example.com');
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: out()[jobOutputKey.queueUrl('process-order')],
        Entries: [
          { Id: 'good1', MessageBody: JSON.stringify({ id: 'sib-1', payload: { orderId: 'sib-1' } }) },
          { Id: 'bad', MessageBody: JSON.stringify({ id: 'bad-1', payload: { orderId: 42 } }) },
          { Id: 'good2', MessageBody: JSON.stringify({ id: 'sib-2', payload: { orderId: 'sib-2' } }) },
        ],
      }),
    );
    for (const orderId of ['sib-1', 'sib-2']) {
      await eventually(
        async () => ((await getItem(dynamodb, ordersTable, { orderId }))?.status === 'PROCESSED' ? true : undefined),
        30_000,
        `order ${orderId}`,
      );
    }
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: out()[jobOutputKey.dlqUrl('process-order')],
        MaxNumberOfMessages: 10,
        MessageAttributeNames: ['All'],
        WaitTimeSeconds: 2,
      }),
    );
    expect(Messages.map((m) => m.MessageAttributes?.['sj-reason']?.StringValue)).toEqual([
      'invalid payload: field "orderId": Invalid input: expected string, received number (given 42)',
    ]);
    expect(
      await getItem(dynamodb, out()[tableOutputKey('Ledger')]!, ledgerKey('process-order', 'sib-1')),
    ).toMatchObject({
      status: 'SUCCEEDED',
    });
  }, 60_000);

  it('fires cleanup at 02:00 and the daily report at 06:00 on the virtual clock, each as one run ' +
    'keyed by its occurrence', async () => {
    const { dynamodb } = clients();
    const ledger = out()[tableOutputKey('Ledger')]!;
    for (const [job, id] of [
      ['cleanup', 'daily@2026-11-24T02:00:00Z'],
      ['daily-report', 'daily@2026-11-24T06:00:00Z'],
    ] as const) {
      const run = await eventually(
        async () => {
          const item = await getItem(dynamodb, ledger, ledgerKey(job, id));
          return item?.status === 'SUCCEEDED' ? item : undefined;
        },
        30_000,
        `run ${job}/${id}`,
      ).catch(async (error: unknown) => {
        // What the run looked like, and what the runner printed for the job, to tell a slow run from a lost one.
        const item = JSON.stringify(await getItem(dynamodb, ledger, ledgerKey(job, id)));
        throw new Error(
          `${String(error)}; item: ${item}; output:\n${output
            .filter((l) => l.includes(job))
            .slice(-15)
            .join('')}`,
        );
      });
      expect(run.attempt).toBe(1);
    }
    const report = await getItem(dynamodb, out()[tableOutputKey('Reports')]!, { reportId: 'daily/2026-11-23/UTC' });
    expect(report).toBeDefined();
  }, 60_000);

  it('stops every process it started, and finds its data again after a restart', async () => {
    const pids = stack.describe().childPids;
    expect(pids.length).toBeGreaterThan(1); // DynamoDB Local and at least one sandbox
    await stack.stop(2_000);
    for (const pid of pids) expect(isRunning(pid), `pid ${pid}`).toBe(false);
    stack = await start();
    const order = await getItem(clients().dynamodb, out()[tableOutputKey('Orders')]!, { orderId: 'cli-1' });
    expect(order?.status).toBe('PROCESSED');
    const run = await getItem(
      clients().dynamodb,
      out()[tableOutputKey('Ledger')]!,
      ledgerKey('cleanup', 'daily@2026-11-24T02:00:00Z'),
    );
    expect(run?.status).toBe('SUCCEEDED');
  }, 90_000);
});
