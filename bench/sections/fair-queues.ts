import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CreateQueueCommand, DeleteQueueCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { type LocalFunction, roleLessIdentity, Sandbox, SqsPoller } from '@serverless-jobs/local/runner';
import { SqsJobQueue } from '@serverless-jobs/runtime/adapters';
import { defineJob, type JobDeclaration, messageGroupOf } from '@serverless-jobs/runtime/jobs';
import type { OutgoingJob } from '@serverless-jobs/runtime/runtime';
import * as z from '@serverless-jobs/runtime/zod';

/** One run of the flood test: how long the trickling key's messages waited, and what arrived. */
export interface TrickleRun {
  /** Milliseconds from each trickling message's send to the start of its run, in send order. */
  readonly trickleWaitsMs: readonly number[];
  readonly p50: number;
  readonly p95: number;
  /** Messages sent and not run by the end (0 unless something was lost). */
  readonly lost: number;
  /** Messages run more than once. */
  readonly doubled: number;
  readonly elapsedMs: number;
  /** From the first send to the run of the flood's last message (0 without a flood). */
  readonly floodDrainedMs: number;
}

export interface TrickleOptions {
  readonly sqs: SQSClient;
  /** Messages of the flooding key, sent at once before the trickle starts. 0 for the baseline. */
  readonly flood: number;
  /** Messages of the trickling key, one every `trickleEveryMs`. */
  readonly trickle: number;
  readonly trickleEveryMs: number;
  /** Whether the job declares `fairness` (its messages then carry their key as MessageGroupId). */
  readonly fair: boolean;
  /** The handler's work per record, in ms. @default 4 */
  readonly recordMs?: number;
  /** Concurrent invocations (the mapping's maximum concurrency). @default 2 */
  readonly lanes?: number;
  /** How long to wait for every message to run. @default 120 s */
  readonly timeoutMs?: number;
}

const payload = z.object({ customerId: z.string(), n: z.number() });
const job = (fair: boolean): JobDeclaration =>
  defineJob({
    name: 'fair-bench',
    description: 'The flood test: one key floods, one trickles.',
    payload,
    ...(fair ? { fairness: { key: 'customerId' } } : {}),
  });

/**
 * A bundle that runs each record in turn: it prints the record's wait (now − SentTimestamp), its key and number,
 * then works for `recordMs`.
 */
function benchBundle(recordMs: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'sj-fair-'));
  writeFileSync(
    join(dir, 'index.mjs'),
    `export const handler = async (event) => {
      for (const r of event.Records) {
        const { payload } = JSON.parse(r.body);
        const wait = Date.now() - Number(r.attributes.SentTimestamp);
        console.log(JSON.stringify({ fair: [payload.customerId, payload.n, wait] }));
        await new Promise((ok) => setTimeout(ok, ${recordMs}));
      }
      return { batchItemFailures: [] };
    };`,
  );
  return dir;
}

/** The value below which `share` of `values` fall (nearest rank); NaN for none. */
export function percentile(values: readonly number[], share: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(share * sorted.length) - 1))]!;
}

function startPoller(options: TrickleOptions, queueUrl: string, onLine: (line: string) => void): SqsPoller {
  const lanes = options.lanes ?? 2;
  const fn: LocalFunction = {
    logicalId: 'FairBench',
    name: 'fair-bench',
    label: 'fair-bench',
    bundleDir: benchBundle(options.recordMs ?? 4),
    handler: 'index.handler',
    timeoutSeconds: 30,
    memoryMb: 128,
    environment: {},
    identity: roleLessIdentity('FairBench', 'fair-bench'),
  };
  const poller = new SqsPoller({
    client: options.sqs,
    mapping: {
      logicalId: 'FairBenchEsm',
      functionLogicalId: 'FairBench',
      queueLogicalId: 'FairBenchQueue',
      reportBatchItemFailures: true,
      batchSize: 10,
      batchingWindowSeconds: 0,
      maxConcurrency: lanes,
    },
    fn,
    queueUrl,
    queueArn: 'arn:aws:sqs:us-east-1:000000000000:fair-bench',
    lanes,
    startSandbox: () => Sandbox.start(fn, { PATH: process.env.PATH }, onLine),
    report: () => {},
  });
  poller.start();
  return poller;
}

/**
 * The flood test on the local runner's SQS (fauxqs with its fair-queue hooks) and poller: `flood` messages of one
 * key are sent at once through the runtime's producer, then `trickle` messages of another, one every
 * `trickleEveryMs`; every message is waited for, and each trickling one's wait is read off its run.
 */
export async function measureTrickle(options: TrickleOptions): Promise<TrickleRun> {
  const { sqs } = options;
  const name = `fair-bench-${Math.random().toString(36).slice(2, 10)}`;
  const { QueueUrl: queueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  if (!queueUrl) throw new Error('the SQS emulator returned no queue URL');
  const declaration = job(options.fair);
  const queue = new SqsJobQueue(sqs, {
    ownQueueUrl: queueUrl,
    deadLetterQueueUrl: queueUrl,
    queueUrlOf: () => queueUrl,
  });
  const entry = (customerId: string, n: number): OutgoingJob => {
    const body = { customerId, n };
    return { id: `${customerId}/${n}`, payload: body, messageGroupId: messageGroupOf(declaration, body) };
  };
  const runs = new Map<string, number>();
  const waits = new Map<number, number>();
  let floodLastRunAt = 0;
  const poller = startPoller(options, queueUrl, (line) => {
    if (!line.startsWith('{"fair":')) return;
    const [key, n, wait] = (JSON.parse(line) as { fair: [string, number, number] }).fair;
    runs.set(`${key}/${n}`, (runs.get(`${key}/${n}`) ?? 0) + 1);
    if (key === 'trickle') waits.set(n, wait);
    if (key === 'flood') floodLastRunAt = Date.now();
  });
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  const ran = async (count: number) => {
    while (runs.size < count && Date.now() < deadline) await sleep(20);
  };
  try {
    // Every lane's sandbox started before the clock runs: the waits are the queue's, not a cold start's.
    const warm = Array.from({ length: (options.lanes ?? 2) * 10 }, (_, n) => entry('warm', n));
    await queue.send(declaration.name, warm);
    await ran(warm.length);
    runs.clear();
    const started = Date.now();
    const flood = Array.from({ length: options.flood }, (_, n) => entry('flood', n));
    await queue.send(declaration.name, flood);
    for (let n = 0; n < options.trickle; n++) {
      await queue.send(declaration.name, [entry('trickle', n)]);
      await sleep(options.trickleEveryMs);
    }
    const total = options.flood + options.trickle;
    await ran(total);
    // A moment more, for a late second run of any message to show.
    await sleep(200);
    const trickleWaitsMs = Array.from({ length: options.trickle }, (_, n) => waits.get(n) ?? Number.NaN);
    const seen = trickleWaitsMs.filter((wait) => !Number.isNaN(wait));
    return {
      trickleWaitsMs,
      p50: percentile(seen, 0.5),
      p95: percentile(seen, 0.95),
      lost: total - runs.size,
      doubled: [...runs.values()].filter((count) => count > 1).length,
      elapsedMs: Date.now() - started,
      floodDrainedMs: options.flood > 0 ? floodLastRunAt - started : 0,
    };
  } finally {
    await poller.stop(2_000);
    await sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl }));
  }
}
