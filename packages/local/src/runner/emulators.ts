import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startDynamoDbLocal } from './dynamodb-local.ts';
import { memoryFauxqsStores, persistentFauxqsStores } from './fauxqs-stores.ts';
import { persistSesStore } from './ses-store-file.ts';
import { acceptSqsQueryProtocol } from './sqs-query-protocol.ts';
import { keepFairQueues, MessageGroupStore } from './sqs-fair-queues.ts';
import { keepTraceHeaders, TraceHeaderStore } from './sqs-trace-headers.ts';
import { InProcessEntry } from './in-process-entry.ts';
import { type Emulator, LOOPBACK, portOrFree } from './loopback.ts';

/** The SQS emulator, which can be restarted in place (a fault the soak injects). */
export interface SqsEmulator extends Emulator {
  /** Closes it (its connections dropped) and opens it again on the same port and data; resolves when it listens. */
  restart(): Promise<void>;
}

/**
 * fauxqs (SQS), in this process, bound to loopback (its CLI would bind 0.0.0.0). With `dataDir`, it keeps queues
 * and their messages (delayed and in flight included) in SQLite there, written through on every change.
 */
export async function startFauxqs(options: { port?: number; dataDir?: string } = {}): Promise<SqsEmulator> {
  const { buildApp } = await import('fauxqs');
  const { dataDir } = options;
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const port = await portOrFree(options.port);
  // Outlives a restart of the emulator, as its messages do; not a restart of the process.
  const traceHeaders = new TraceHeaderStore();
  const groups = new MessageGroupStore();
  const open = async () => {
    const persistent = dataDir ? await persistentFauxqsStores(dataDir) : undefined;
    const stores = persistent?.stores ?? (await memoryFauxqsStores());
    const app = buildApp({ logger: false, stores });
    if (persistent) app.addHook('preClose', () => persistent.close());
    acceptSqsQueryProtocol(app);
    keepTraceHeaders(app, traceHeaders);
    keepFairQueues(app, stores.sqsStore, groups);
    await app.listen({ port, host: LOOPBACK });
    return app;
  };
  let app = await open();
  const entry = new InProcessEntry(() => app.server);
  return {
    name: 'sqs',
    endpoint: `http://${LOOPBACK}:${port}`,
    pid: process.pid,
    handle: entry.handle,
    stop: async () => {
      entry.close();
      await app.close();
    },
    restart: async () => {
      entry.close();
      await app.close();
      app = await open();
      entry.reopen();
    },
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
  const entry = new InProcessEntry(() => server);
  return {
    name: 'ses',
    endpoint: `http://${LOOPBACK}:${port}`,
    pid: process.pid,
    handle: entry.handle,
    stop: () =>
      new Promise<void>((resolve) => {
        entry.close();
        storeFile?.stop();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface EmulatorSet {
  readonly dynamodb: Emulator;
  readonly sqs: SqsEmulator;
  readonly ses: Emulator;
  stop(): Promise<void>;
}

/** DynamoDB Local, fauxqs and SES, started together; on a failure, whatever did start is stopped again. */
export async function startEmulatorSet(
  starting: readonly [Promise<Emulator>, Promise<SqsEmulator>, Promise<Emulator>],
): Promise<EmulatorSet> {
  const results = await Promise.allSettled(starting);
  const started = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed) {
    // Whatever did start is stopped again, so a failed start leaves nothing running.
    await Promise.allSettled(started.map((emulator) => emulator.stop()));
    throw failed.reason;
  }
  const [dynamodb, sqs, ses] = started as [Emulator, SqsEmulator, Emulator];
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
  /** Told when DynamoDB Local died and was started again. @default none */
  readonly onRestart?: (message: string) => void;
}

const under = (dir: string | undefined, name: string): string | undefined => dir && join(dir, name);

/** The folders and files of `dataDir` that hold the emulators' data. */
export const EMULATOR_DATA = ['dynamodb', 'sqs', 'ses'] as const;

/** All three, in this process but DynamoDB Local (Java). */
export function startEmulators(options: EmulatorsOptions = {}): Promise<EmulatorSet> {
  return startEmulatorSet([
    options.dynamodb
      ? Promise.resolve(borrowedEmulator(options.dynamodb))
      : startDynamoDbLocal({
          dbPath: under(options.dataDir, 'dynamodb'),
          port: options.ports?.dynamodb,
          onRestart: options.onRestart,
        }),
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
