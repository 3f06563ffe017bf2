import { runPartition } from '@serverless-jobs/runtime/contracts';
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { inject } from 'vitest';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { fromItem } from '@serverless-jobs/runtime/adapters';
import { N, S } from '@serverless-jobs/runtime/adapters';
import { LocalStack, type LocalStackOptions } from '@serverless-jobs/local/runner';
import type { JobDeclaration } from '@serverless-jobs/runtime/jobs';
import { allJobs } from '#shared/jobs/registry';
import { synthesizeInProcess } from '#infra/local/synthesize-in-process';

export const ROOT = resolve(import.meta.dirname, '../..');
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

/** The cloud assembly the test setup synthesized once for the whole run. */
export function synthesizedApp(): string {
  const synth = inject('synth');
  if (synth.status !== 0) throw new Error(`The test setup's cdk synth failed:\n${synth.output.slice(-3000)}`);
  return synth.outdir;
}

export const clientsFor = (endpoints: { sqs: string; dynamodb: string }) => ({
  sqs: new SQSClient({ endpoint: endpoints.sqs, region: 'us-east-1', credentials, useQueueUrlAsEndpoint: false }),
  dynamodb: new DynamoDBClient({ endpoint: endpoints.dynamodb, region: 'us-east-1', credentials }),
});

/** Polls until `check` returns a value, or fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  timeoutMs = 20_000,
  what = 'the condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The key of a run in the ledger, for getItem: `ledgerKey('send-email', 'a')`. */
/**
 * npm start's stack on the run's one synthesized app with the reference jobs, in a fresh data dir named after
 * `prefix`; `options` adds to or overrides that.
 */
export async function startAppStack(
  prefix: string,
  options: Partial<LocalStackOptions> = {},
): Promise<{ stack: LocalStack; dataDir: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), prefix));
  const stack = await LocalStack.start({
    root: ROOT,
    jobs: allJobs,
    cdkOut: synthesizedApp(),
    synth: 'never',
    dataDir,
    ...options,
  });
  return { stack, dataDir };
}

/**
 * A stack of test-only `jobs`, each built from the handler file `handlerOf(job)` names (relative to the
 * repository), synthesized in process, in fresh folders named after `prefix`, with nothing kept and nothing
 * printed; `options` adds to or overrides that.
 */
export function startFixtureStack(
  jobs: readonly JobDeclaration[],
  handlerOf: (job: string) => string,
  prefix: string,
  options: Partial<LocalStackOptions> = {},
): Promise<LocalStack> {
  return LocalStack.start({
    root: ROOT,
    jobs,
    cdkOut: synthesizeInProcess(jobs, (job) => join(ROOT, handlerOf(job)), prefix),
    synth: 'never',
    dataDir: mkdtempSync(join(tmpdir(), `${prefix}data-`)),
    persist: false,
    write: () => {},
    ...options,
  });
}

export const ledgerKey = (job: string, id: string): Record<string, string> => ({ pk: runPartition(job, id), sk: id });

export async function getItem(
  client: DynamoDBClient,
  table: string,
  key: Record<string, string>,
): Promise<Record<string, unknown> | undefined> {
  const { Item } = await client.send(
    new GetItemCommand({
      TableName: table,
      Key: Object.fromEntries(Object.entries(key).map(([k, v]) => [k, S(v)])),
      ConsistentRead: true,
    }),
  );
  return Item ? fromItem(Item) : undefined;
}

export async function seedOrder(client: DynamoDBClient, table: string, orderId: string, email: string): Promise<void> {
  await client.send(
    new PutItemCommand({
      TableName: table,
      Item: {
        orderId: S(orderId),
        status: S('PENDING'),
        customerEmail: S(email),
        currency: S('EUR'),
        totalCents: N(2500),
        items: { L: [{ M: { sku: S('book'), quantity: N(2), unitPriceCents: N(1250) } }] },
      },
    }),
  );
}

export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The real jobs CLI (bin/jobs.mjs) against the npm start of `dataDir`, in a child process, asynchronously: the
 * emulators answer from the test's own process.
 */
export const jobsCli =
  (dataDir: () => string) =>
  (...args: string[]): Promise<CliResult> =>
    new Promise((done) => {
      execFile(
        process.execPath,
        [join(ROOT, 'bin/jobs.mjs'), '--local', '--data-dir', dataDir(), ...args],
        { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } },
        (error, stdout, stderr) => done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      );
    });
