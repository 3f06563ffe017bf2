import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetQueueAttributesCommand, SendMessageBatchCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import type { LocalFunction, LocalMapping } from '@serverless-jobs/local/runner';
import { roleLessIdentity, Sandbox } from '@serverless-jobs/local/runner';
import { type PollerEvent, SqsPoller } from '@serverless-jobs/local/runner';
import { createQueue, sqs } from '#test/helpers/aws';
import { eventually } from '#test/e2e/local-stack-fixture';

/**
 * A bundle that sleeps past its timeout on "slow", holds "hold" for 600 ms (printing when it started and
 * ended), reports "fail" as a batch item failure, and succeeds otherwise.
 */
function fakeBundle(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sj-bundle-'));
  writeFileSync(
    join(dir, 'index.mjs'),
    `export const handler = async (event, context) => {
      for (const r of event.Records) if (r.body === 'slow') await new Promise((ok) => setTimeout(ok, 60000));
      if (event.Records.some((r) => r.body === 'hold')) {
        const start = Date.now();
        await new Promise((ok) => setTimeout(ok, 600));
        console.log(JSON.stringify({ held: [start, Date.now()] }));
      }
      console.log(JSON.stringify({ level: 'INFO', message: 'batch', remaining: context.getRemainingTimeInMillis() }));
      const failed = event.Records.filter((r) => r.body === 'fail');
      return { batchItemFailures: failed.map((r) => ({ itemIdentifier: r.messageId })) };
    };`,
  );
  return dir;
}

async function counts(queueUrl: string): Promise<{ visible: number; inFlight: number }> {
  const { Attributes = {} } = await sqs().send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return {
    visible: Number(Attributes.ApproximateNumberOfMessages),
    inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible),
  };
}

/** A started poller on `queueUrl` over the fake bundle, with what it reported and what the sandbox printed. */
function startFakePoller(
  queueUrl: string,
  {
    lanes,
    ...options
  }: {
    timeoutSeconds: number;
    batchSize: number;
    batchingWindowSeconds: number;
    maxConcurrency: number;
    lanes?: number;
  },
): { poller: SqsPoller; events: PollerEvent[]; lines: string[] } {
  const fn: LocalFunction = {
    logicalId: 'Fn',
    name: 'fake-fn',
    label: 'fake',
    bundleDir: fakeBundle(),
    handler: 'index.handler',
    timeoutSeconds: options.timeoutSeconds,
    memoryMb: 128,
    environment: {},
    identity: roleLessIdentity('Fn', 'fake-fn'),
  };
  const mapping: LocalMapping = {
    logicalId: 'Esm',
    functionLogicalId: 'Fn',
    queueLogicalId: 'Q',
    reportBatchItemFailures: true,
    ...options,
  };
  const events: PollerEvent[] = [];
  const lines: string[] = [];
  const poller = new SqsPoller({
    client: sqs(),
    mapping,
    fn,
    queueUrl,
    queueArn: 'arn:aws:sqs:us-east-1:000000000000:poller',
    lanes,
    startSandbox: () => Sandbox.start(fn, { PATH: process.env.PATH }, (line) => lines.push(line)),
    report: (event) => events.push(event),
  });
  poller.start();
  return { poller, events, lines };
}

describe('Class: SqsPoller (fauxqs, a real sandbox process)', () => {
  it('abandons an invocation past its Timeout, leaves its records to SQS, reports failures, and ' +
    'keeps serving', async () => {
    const queueUrl = await createQueue('poller', { VisibilityTimeout: '3' });
    const { poller, events, lines } = startFakePoller(queueUrl, {
      timeoutSeconds: 1,
      batchSize: 1,
      batchingWindowSeconds: 0,
      maxConcurrency: 2,
    });
    let pids: number[] = [];
    try {
      const send = (body: string) => sqs().send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
      await send('slow');
      await eventually(
        async () => events.find((e) => e.kind === 'abandoned'),
        15_000,
        'the slow invocation to be abandoned',
      );
      expect(events[0]).toMatchObject({ kind: 'abandoned', reason: 'timed out after 1 s', size: 1 });

      await send('ok');
      await send('fail');
      await eventually(
        async () => (events.filter((e) => e.kind === 'invoked').length >= 2 ? true : undefined),
        15_000,
        'two more invocations',
      );
      const invoked = events.filter((e): e is Extract<PollerEvent, { kind: 'invoked' }> => e.kind === 'invoked');
      expect(invoked.map((e) => e.failed).sort()).toEqual([0, 1]);
      // The slow and the failed message are still in the queue (in flight or visible again); the good one is gone.
      const left = await counts(queueUrl);
      expect(left.visible + left.inFlight).toBe(2);
      expect(lines.some((line) => /"remaining":\d+/.test(line))).toBe(true);
      pids = poller.sandboxPids;
      expect(pids.length).toBeGreaterThanOrEqual(1);
    } finally {
      await poller.stop(1_000);
    }
    for (const pid of pids) expect(() => process.kill(pid, 0), `sandbox ${pid}`).toThrow();
  }, 60_000);

  it('runs at most its lanes at once when the maximum concurrency is higher, and the maximum when it ' +
    'is lower', async () => {
    const queueUrl = await createQueue('poller-lanes');
    await sqs().send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: Array.from({ length: 6 }, (_, j) => ({ Id: String(j), MessageBody: 'hold' })),
      }),
    );
    const { poller, lines } = startFakePoller(queueUrl, {
      timeoutSeconds: 5,
      batchSize: 1,
      batchingWindowSeconds: 0,
      maxConcurrency: 5,
      lanes: 2,
    });
    let held: [number, number][] = [];
    try {
      expect(poller.laneCount).toBe(2);
      await eventually(
        async () => {
          held = lines
            .filter((line) => line.includes('"held"'))
            .map((line) => (JSON.parse(line) as { held: [number, number] }).held);
          return held.length >= 6 ? true : undefined;
        },
        20_000,
        'six invocations',
      );
    } finally {
      await poller.stop(1_000);
    }
    // The most invocations that overlapped in time: 2 lanes, not the 5 the mapping allows.
    const overlapping = held.map(([start]) => held.filter(([s, e]) => s <= start && start < e).length);
    expect(Math.max(...overlapping)).toBe(2);
    const lower = startFakePoller(queueUrl, {
      timeoutSeconds: 5,
      batchSize: 1,
      batchingWindowSeconds: 0,
      maxConcurrency: 2,
      lanes: 4,
    }).poller;
    await lower.stop(0);
    expect(lower.laneCount).toBe(2);
    // No lanes would never poll: refused, naming the value.
    expect(() =>
      startFakePoller(queueUrl, {
        timeoutSeconds: 5,
        batchSize: 1,
        batchingWindowSeconds: 0,
        maxConcurrency: 2,
        lanes: 0,
      }),
    ).toThrow('fake: lanes must be a whole number of at least 1 (given lanes 0, maximum concurrency 2)');
  }, 40_000);

  it('gathers a batch larger than one receive for the whole batching window, as Lambda does', async () => {
    const queueUrl = await createQueue('poller-window');
    for (let i = 0; i < 25; i += 5) {
      await sqs().send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: Array.from({ length: 5 }, (_, j) => ({ Id: String(j), MessageBody: `m${i + j}` })),
        }),
      );
    }
    const { poller, events } = startFakePoller(queueUrl, {
      timeoutSeconds: 5,
      batchSize: 25,
      batchingWindowSeconds: 1,
      maxConcurrency: 1,
    });
    try {
      await eventually(async () => events.find((e) => e.kind === 'invoked'), 15_000, 'one invocation');
      // 25 messages were waiting: one window of 1 s gathers them all (three receives of at most 10), not 10.
      expect(events[0]).toMatchObject({ kind: 'invoked', size: 25, failed: 0 });
    } finally {
      await poller.stop(1_000);
    }
  }, 30_000);
});
