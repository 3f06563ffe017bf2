import type { ChildProcess } from 'node:child_process';
import type { RequestListener } from 'node:http';
import { createServer, type Server } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** A running emulator; `stop()` ends exactly what was started, by PID for a child process. */
export interface Emulator {
  readonly name: string;
  readonly endpoint: string;
  readonly pid: number;
  /** Takes a request in this process, as its server would from the endpoint: for an emulator that runs here. */
  readonly handle?: RequestListener;
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

/** Polls `url` until it answers; fails at once if `child` exits first. */
export async function waitForHttp(url: string, child: ChildProcess | undefined, timeoutMs: number): Promise<void> {
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
