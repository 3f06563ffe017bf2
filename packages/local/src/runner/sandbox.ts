import { type ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { COMPILED, entryScript } from './entry-script.ts';
import { killOnExit } from './child-processes.ts';
import type { DirectRoute } from './iam/direct-route.ts';
import type { LocalFunction } from './local-model.ts';
import type { SandboxReply, SandboxRequest } from './sandbox-protocol.ts';
import { newTraceHeader } from './trace-headers.ts';

export type InvokeResult =
  | { readonly kind: 'ok'; readonly result: unknown }
  | { readonly kind: 'error'; readonly error: string }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'crash'; readonly code: number | null };

const ENTRY_SOURCE = fileURLToPath(new URL(`./sandbox-entry.${COMPILED ? 'js' : 'ts'}`, import.meta.url));

/**
 * One execution environment of a function, as a child process with the function's environment.
 * An invocation past the function's Timeout is abandoned and the process killed, as Lambda does.
 */
export class Sandbox {
  private pending?: { requestId: string; settle: (result: InvokeResult) => void };

  private constructor(
    private readonly child: ChildProcess,
    readonly fn: LocalFunction,
  ) {
    child.on('message', (reply: SandboxReply) => {
      if (reply.type === 'ready' || reply.requestId !== this.pending?.requestId) return;
      this.finish(
        reply.type === 'result' ? { kind: 'ok', result: reply.result } : { kind: 'error', error: reply.error },
      );
    });
    child.once('exit', (code) => this.finish({ kind: 'crash', code }));
    child.on('error', () => this.finish({ kind: 'crash', code: null }));
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  private killed = false;

  /** The process is gone (exited or killed and reaped). */
  get exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  get alive(): boolean {
    return !this.killed && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** With `route`, the sandbox checks its function's DynamoDB requests itself (`installDirectRoute`). */
  static start(
    fn: LocalFunction,
    env: NodeJS.ProcessEnv,
    onLine: (line: string) => void,
    route?: DirectRoute,
  ): Promise<Sandbox> {
    const args = [fn.bundleDir, fn.handler, fn.name, String(fn.memoryMb), ...(route ? [JSON.stringify(route)] : [])];
    const child = fork(entryScript(ENTRY_SOURCE), args, {
      env,
      execArgv: [`--max-old-space-size=${Math.max(64, fn.memoryMb)}`],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      detached: true,
    });
    killOnExit(child);
    for (const stream of [child.stdout, child.stderr])
      if (stream) createInterface({ input: stream }).on('line', onLine);
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null) =>
        reject(new Error(`${fn.label}: the sandbox exited with code ${code} before it was ready`));
      child.once('exit', onExit);
      child.once('message', (reply: SandboxReply) => {
        if (reply.type !== 'ready') return;
        child.off('exit', onExit);
        resolve(new Sandbox(child, fn));
      });
    });
  }

  /** Runs one invocation, in a trace of its own unless given `traceHeader`, as Lambda starts one per invocation. */
  invoke(event: unknown, timeoutMs: number, traceHeader = newTraceHeader()): Promise<InvokeResult> {
    if (this.pending) throw new Error(`${this.fn.label}: a sandbox runs one invocation at a time`);
    const request: SandboxRequest = { requestId: randomUUID(), event, deadline: Date.now() + timeoutMs, traceHeader };
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        // Lambda freezes and discards a timed-out environment; this one is killed and never reused.
        this.killed = true;
        this.finish({ kind: 'timeout' });
        this.child.kill('SIGKILL');
      }, timeoutMs);
      this.pending = {
        requestId: request.requestId,
        settle: (result) => {
          clearTimeout(timer);
          resolve(result);
        },
      };
      this.child.send(request);
    });
  }

  /** Stops the process by its PID and waits for it to be gone. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    // A sandbox killed at its timeout may not have exited yet: wait for it too.
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill(signal);
    const force = setTimeout(() => this.child.kill('SIGKILL'), 2000);
    await exited;
    clearTimeout(force);
  }

  private finish(result: InvokeResult): void {
    const pending = this.pending;
    this.pending = undefined;
    pending?.settle(result);
  }
}
