import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteTableCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { ledgerTable } from '@serverless-jobs/runtime/contracts';
import { jobRunItems, runKey } from '@serverless-jobs/runtime/adapters';
import { chunk } from '@serverless-jobs/runtime/runtime';
import type { Emulator } from '@serverless-jobs/local/runner';
import { type CpuSplit, startCpuMeter } from '../process-cpu';
import { cpus } from 'node:os';
import { LocalStack } from '@serverless-jobs/local/runner';
import { jobOutputKey, tableOutputKey } from '@serverless-jobs/runtime/contracts';
import { createTable } from '#test/helpers/aws';
import { runConcurrently, sendEmailRecords } from '../workloads/bench-records';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const JOB = 'send-email';
const DEPTH = [
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'ApproximateNumberOfMessagesDelayed',
] as const;

export interface ThroughputOptions {
  readonly root: string;
  readonly cdkOut: string;
  readonly jobs: number;
  /** @default the template's batch size */
  readonly batchSize?: number;
  /** @default the template's batching window */
  readonly batchingWindowSeconds?: number;
  /** The runner's cap on lanes per mapping. @default the runner's own (2 per core) */
  readonly maxLanes?: number;
  /** Items written per job in process (a statement of a batch is one), to turn the PutItem limit into jobs/s. */
  readonly writesPerJob: number;
  /** Measure DynamoDB Local's raw conditional PutItem rate after the run. @default true */
  readonly measureLimit?: boolean;
  /**
   * The bench's DynamoDB Local, warmed up by the in-process sections, for the stack to use: the run and its limit
   * then meet the same JIT-compiled store (a fresh JVM runs its first ~20,000 requests several times slower).
   * The stack's tables are deleted after the run. @default a DynamoDB Local of the stack's own
   */
  readonly dynamodb?: Emulator;
  /** Check each function's requests against its role, as `npm start` does by default. @default true */
  readonly iam?: boolean;
}

export interface ThroughputFigures {
  readonly jobs: number;
  readonly batchSize: number;
  readonly batchingWindowSeconds: number;
  readonly maxConcurrency: number;
  /** Concurrent invocations the local runner ran: the maximum concurrency, capped at its lanes per function. */
  readonly lanes: number;
  /** The runner's cap on lanes, and where it came from: `--e2e-lanes`, or the runner's default (2 per core). */
  readonly laneCap: { readonly lanes: number; readonly from: 'option' | 'default' };
  readonly succeeded: number;
  readonly emails: number;
  readonly lost: number;
  readonly seconds: number;
  readonly jobsPerSecond: number;
  /** The runner's SQS requests per job: the pollers' receives and deletes, and the sends. */
  readonly sqsRequestsPerJob: Record<string, number>;
  /** Bytes send-email printed per job: its log lines and its EMF lines (what CloudWatch Logs ingests). */
  readonly logBytesPerJob: number;
  /** send-email's invocations: how many, their mean size and mean duration (the sandboxed bundle, IPC included). */
  readonly invocations: { readonly count: number; readonly meanSize: number; readonly meanMs: number };
  /** Mean body of a send-email message, in bytes. */
  readonly messageBytes: number;
  /**
   * CPU per job from the first send until the queue was drained, by process (bench/process-cpu.ts): what the whole
   * local system costs per job on this machine's cores. Absent where /proc is not.
   */
  readonly cpu?: { readonly cores: number; readonly msPerJob: CpuSplit };
  /** The best of the bursts below: a ceiling, which other work on the machine can only lower. */
  readonly putItemPerSecond?: number;
  /** Each burst's conditional PutItem/s, in order. */
  readonly putItemBursts?: readonly number[];
  readonly limitJobsPerSecond?: number;
  readonly ofLimit?: number;
}

/**
 * Conditional PutItem, 16 at once, on a fresh table of the ledger's design (a job's partitions, no index) in the
 * same DynamoDB Local: the store's own ceiling for the writes a job makes. Each of `bursts` bursts writes `items` new
 * items; a single burst read as little as half of another run's on the same machine.
 */
async function putItemRates(client: DynamoDBClient, bursts = 3, items = 6_000, concurrency = 16): Promise<number[]> {
  const table = await createTable({ ...ledgerTable, id: 'Limit' }, client);
  try {
    const rates: number[] = [];
    for (let burst = 0; burst < bursts; burst++)
      rates.push(await timedPuts(client, table, burst * items, items, concurrency));
    return rates;
  } finally {
    await client.send(new DeleteTableCommand({ TableName: table }));
  }
}

async function timedPuts(
  client: DynamoDBClient,
  table: string,
  first: number,
  items: number,
  concurrency: number,
): Promise<number> {
  const began = performance.now();
  await runConcurrently(
    Array.from({ length: items }, (_, n) => first + n),
    concurrency,
    async (n) => {
      await client.send(
        new PutItemCommand({
          TableName: table,
          Item: {
            ...runKey({ job: 'limit', id: String(n) }),
            job: { S: 'limit' },
            createdAt: { S: new Date().toISOString() },
            status: { S: 'SUCCEEDED' },
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    },
  );
  return items / ((performance.now() - began) / 1000);
}

async function succeededRuns(client: DynamoDBClient, table: string): Promise<{ count: number; lastFinished: number }> {
  let count = 0;
  let lastFinished = 0;
  const runs = jobRunItems(client, table, JOB, {
    filter: '#status = :ok',
    names: { '#status': 'status' },
    values: { ':ok': { S: 'SUCCEEDED' } },
    projection: ['finishedAt'],
  });
  for await (const item of runs) {
    count++;
    lastFinished = Math.max(lastFinished, Date.parse(item.finishedAt?.S ?? ''));
  }
  return { count, lastFinished };
}

/**
 * `jobs` send-email jobs through the whole local system: sent to fauxqs in batches of 10, polled by the
 * runner's event source mappings, run in the sandboxed bundles, claimed and completed in DynamoDB Local,
 * e-mailed to the SES emulator. Timed from the first send to the last completion in the ledger.
 */
export async function measureLocalThroughput(options: ThroughputOptions): Promise<ThroughputFigures> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sj-bench-'));
  // SQS requests by queue, then by command: the pollers start before the queue's URL is known here.
  const byQueue = new Map<string, Map<string, number>>();
  let mapping = { batchSize: 0, batchingWindowSeconds: 0, maxConcurrency: 0 };
  let logBytes = 0;
  const invocations = { count: 0, records: 0, ms: 0 };
  const stack = await LocalStack.start({
    root: options.root,
    cdkOut: options.cdkOut,
    synth: 'never',
    dataDir,
    persist: false,
    dashboard: false,
    dynamodb: options.dynamodb,
    maxLanes: options.maxLanes,
    iam: options.iam ?? true,
    logFormat: 'json',
    write: () => undefined,
    instrument: {
      // What CloudWatch Logs would ingest: each line as the function printed it, log and EMF alike, and its newline.
      line: (label, text) => {
        if (label === JOB) logBytes += Buffer.byteLength(text) + 1;
      },
      mapping: (m, fn) => {
        if (fn?.label !== JOB) return m;
        const adjusted = {
          ...m,
          batchSize: options.batchSize ?? m.batchSize,
          batchingWindowSeconds: options.batchingWindowSeconds ?? m.batchingWindowSeconds,
        };
        mapping = {
          batchSize: adjusted.batchSize,
          batchingWindowSeconds: adjusted.batchingWindowSeconds,
          maxConcurrency: adjusted.maxConcurrency,
        };
        return adjusted;
      },
      report: (event) => {
        if (event.kind !== 'invoked' || event.label !== JOB) return;
        invocations.count++;
        invocations.records += event.size;
        invocations.ms += event.ms;
      },
      sqsClient: (client) =>
        client.middlewareStack.add(
          (next, context) => async (args) => {
            const queue = (args.input as { QueueUrl?: string }).QueueUrl ?? '';
            const counts = byQueue.get(queue) ?? new Map<string, number>();
            const name = context.commandName ?? 'unknown';
            byQueue.set(queue, counts.set(name, (counts.get(name) ?? 0) + 1));
            return next(args);
          },
          { step: 'initialize', name: 'benchSqsMeter' },
        ),
    },
  }).catch((error: unknown) => {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  });
  try {
    const lanes = stack.pollerOf(JOB)?.laneCount;
    if (lanes === undefined) throw new Error(`the local stack runs no poller for ${JOB}`);
    const endpoints = stack.describe().endpoints as { sqs: string; dynamodb: string; ses: string };
    const sqs = new SQSClient({
      endpoint: endpoints.sqs,
      region: 'us-east-1',
      credentials,
      useQueueUrlAsEndpoint: false,
    });
    const dynamodb = new DynamoDBClient({ endpoint: endpoints.dynamodb, region: 'us-east-1', credentials });
    const queueUrl = stack.model.outputs[jobOutputKey.queueUrl(JOB)]!;
    // The SES emulator keeps one store for the process: a run counts only its own e-mails.
    await fetch(`${endpoints.ses}/clear-store`, { method: 'POST' });
    const ledger = stack.model.outputs[tableOutputKey('Ledger')]!;
    const cpu = startCpuMeter();
    const began = Date.now();
    const records = sendEmailRecords(`e2e-${began}`, options.jobs, began);
    const batches = chunk(records, 10);
    let sends = 0;
    for (let i = 0; i < batches.length; i += 8) {
      await Promise.all(
        batches.slice(i, i + 8).map(async (batch) => {
          sends++;
          const { Failed = [] } = await sqs.send(
            new SendMessageBatchCommand({
              QueueUrl: queueUrl,
              Entries: batch.map((record, j) => ({
                Id: String(j),
                MessageBody: record.body,
                MessageAttributes: {
                  jobId: { DataType: 'String', StringValue: record.messageAttributes.jobId!.stringValue! },
                },
              })),
            }),
          );
          if (Failed.length > 0) throw new Error(`fauxqs refused ${Failed.length} sends: ${Failed[0]?.Message}`);
        }),
      );
    }
    // Drained when the queue is empty (visible, in flight and delayed) twice in a row.
    const deadline = began + Math.max(120_000, options.jobs * 50);
    for (let empty = 0; empty < 2; ) {
      if (Date.now() > deadline)
        throw new Error(`send-email's queue was not drained after ${((Date.now() - began) / 1000).toFixed(0)} s`);
      await new Promise((resolve) => setTimeout(resolve, 250));
      const { Attributes = {} } = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: [...DEPTH] }),
      );
      const depth = DEPTH.reduce((sum, name) => sum + Number(Attributes[name] ?? 0), 0);
      empty = depth === 0 ? empty + 1 : 0;
    }
    // Before the ledger is scanned: that scan is the bench's, not the run's.
    const cpuMs = cpu?.();
    const { count, lastFinished } = await succeededRuns(dynamodb, ledger);
    const store = (await (await fetch(`${endpoints.ses}/store`)).json()) as { emails: unknown[] };
    const seconds = (lastFinished - began) / 1000;
    const jobsPerSecond = count / seconds;
    const perJob = (n: number) => n / options.jobs;
    const sqsRequestsPerJob: Record<string, number> = { SendMessageBatch: perJob(sends) };
    // Only send-email's queue: the other jobs' pollers and the schedules are not its cost.
    for (const [name, n] of byQueue.get(queueUrl) ?? []) sqsRequestsPerJob[name.replace(/Command$/, '')] = perJob(n);
    const figures: ThroughputFigures = {
      jobs: options.jobs,
      ...mapping,
      lanes,
      laneCap: { lanes: stack.maxLanes, from: options.maxLanes === undefined ? 'default' : 'option' },
      succeeded: count,
      emails: store.emails.length,
      lost: options.jobs - Math.min(count, store.emails.length),
      seconds,
      jobsPerSecond,
      sqsRequestsPerJob,
      logBytesPerJob: perJob(logBytes),
      invocations: {
        count: invocations.count,
        meanSize: invocations.records / Math.max(1, invocations.count),
        meanMs: invocations.ms / Math.max(1, invocations.count),
      },
      messageBytes: records.reduce((sum, record) => sum + Buffer.byteLength(record.body), 0) / records.length,
      ...(cpuMs && {
        cpu: {
          cores: cpus().length,
          msPerJob: {
            runner: perJob(cpuMs.runner),
            sandboxes: perJob(cpuMs.sandboxes),
            dynamodb: perJob(cpuMs.dynamodb),
          },
        },
      }),
    };
    if (options.measureLimit === false) return figures;
    const putItemBursts = await putItemRates(dynamodb);
    const putItemPerSecond = Math.max(...putItemBursts);
    const limitJobsPerSecond = putItemPerSecond / options.writesPerJob;
    return {
      ...figures,
      putItemPerSecond,
      putItemBursts,
      limitJobsPerSecond,
      ofLimit: jobsPerSecond / limitJobsPerSecond,
    };
  } finally {
    try {
      await stack.stop(5_000);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
      // The next run on a shared DynamoDB Local must find no tables (nor runs) of this one.
      if (options.dynamodb)
        await deleteTables(
          options.dynamodb.endpoint,
          stack.model.tables.map((table) => table.name),
        );
    }
  }
}

async function deleteTables(endpoint: string, names: readonly string[]): Promise<void> {
  const dynamodb = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials });
  const results = await Promise.allSettled(
    names.map((name) => dynamodb.send(new DeleteTableCommand({ TableName: name }))),
  );
  const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed) console.error(`bench: a table of the local stack was not deleted: ${String(failed.reason)}`);
}
