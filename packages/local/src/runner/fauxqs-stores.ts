import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BuildAppOptions } from 'fauxqs';

type Stores = NonNullable<BuildAppOptions['stores']>;

interface PersistenceManager {
  load(sqs: Stores['sqsStore'], sns: Stores['snsStore'], s3: Stores['s3Store']): void;
  updateMessageReady(messageId: string): void;
  close(): void;
}

/** The manager's own handle on the database (a node:sqlite DatabaseSync). */
interface WithDatabase {
  readonly db: { prepare(sql: string): { run(...values: (string | null)[]): unknown } };
}

/**
 * fauxqs 2.4.1 writes a message made visible again (a visibility timeout of 0, or one that ran out) with NULL as
 * its receive count, which the column refuses. The error came after the message had left the in-flight set and
 * before it joined the ready one: it vanished until a restart, so a DLQ emptied as `jobs-cli dlq` peeked at it and
 * a record handed back by the runtime was never delivered again. This keeps the count, as the load already does.
 */
function keepReceiveCount(manager: PersistenceManager): void {
  const ready = (manager as unknown as WithDatabase).db.prepare(
    'UPDATE sqs_messages SET receipt_handle = NULL, visibility_deadline = NULL WHERE message_id = ?',
  );
  manager.updateMessageReady = (messageId) => void ready.run(messageId);
}

interface Persistent {
  persistence?: PersistenceManager;
}

/** fauxqs's installed `dist/` folder. */
function fauxqsDist(): string {
  const paths = createRequire(import.meta.url).resolve.paths('fauxqs') ?? [];
  const root = paths.map((dir) => join(dir, 'fauxqs')).find((dir) => existsSync(join(dir, 'package.json')));
  if (!root) throw new Error('fauxqs is not installed');
  return join(root, 'dist');
}

const load = async <T>(dist: string, file: string): Promise<T> =>
  (await import(pathToFileURL(join(dist, file)).href)) as T;

/**
 * fauxqs's stores, loaded from SQLite in `dataDir` and writing every change through to it, for `buildApp`.
 *
 * fauxqs offers persistence only through `startFauxqs`, which listens on every interface; `buildApp` listens where
 * it is told but keeps memory only. This wires the stores as `startFauxqs` does. The package exports only its app
 * entry, so the stores' modules are loaded by file from the installed version (pinned in package.json); the
 * restart test (test/e2e/restart.test.ts) fails if a new version moves them.
 */
export async function persistentFauxqsStores(dataDir: string): Promise<{ stores: Stores; close: () => void }> {
  const [stores, { PersistenceManager }] = await Promise.all([
    memoryFauxqsStores(),
    load<{ PersistenceManager: new (dir: string) => PersistenceManager }>(fauxqsDist(), 'persistence.js'),
  ]);
  const manager = new PersistenceManager(dataDir);
  keepReceiveCount(manager);
  // Loaded before the stores write through: loading with persistence on would rewrite every row.
  manager.load(stores.sqsStore, stores.snsStore, stores.s3Store);
  for (const store of Object.values(stores)) (store as Persistent).persistence = manager;
  for (const queue of stores.sqsStore.allQueues()) (queue as Persistent).persistence = manager;
  return { stores, close: () => manager.close() };
}

/**
 * fauxqs's stores in memory, as `buildApp` makes them itself; made here so that the runner holds the SQS store
 * (the fair-queue hooks order its ready messages).
 */
export async function memoryFauxqsStores(): Promise<Stores> {
  const dist = fauxqsDist();
  const [{ SqsStore }, { SnsStore }, { S3Store }] = await Promise.all([
    load<{ SqsStore: new () => Stores['sqsStore'] }>(dist, 'sqs/sqsStore.js'),
    load<{ SnsStore: new () => Stores['snsStore'] }>(dist, 'sns/snsStore.js'),
    load<{ S3Store: new () => Stores['s3Store'] }>(dist, 's3/s3Store.js'),
  ]);
  return { sqsStore: new SqsStore(), snsStore: new SnsStore(), s3Store: new S3Store() };
}
