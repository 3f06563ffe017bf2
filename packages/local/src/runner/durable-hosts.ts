import { type ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { killOnExit, stopChild } from './child-processes.ts';
import type { DurableHostReply, DurableHostRequest } from './durable-host-protocol.ts';
import { COMPILED, entryScript } from './entry-script.ts';
import type { DirectRoute } from './iam/direct-route.ts';
import type { LocalFunction } from './local-model.ts';

const HOST_SOURCE = fileURLToPath(new URL(`./durable-host-entry.${COMPILED ? 'js' : 'ts'}`, import.meta.url));
/** Loads its own worker thread by path: imported from node_modules, never bundled into the host's entry. */
const TESTING_SDK = '@aws/durable-execution-sdk-js-testing';

/** An answer to a start or a callback, as Lambda gives it: done, or refused with AWS's error code. */
export type HostAnswer =
  | { readonly ok: true; readonly arn?: string }
  | { readonly ok: false; readonly code: string; readonly message: string };

type Outcome = Extract<DurableHostRequest, { type: 'callback' }>['outcome'];

/** One durable function's executions, in a child process of its own (started on the first execution). */
class DurableHost {
  private readonly pending = new Map<string, (answer: HostAnswer) => void>();

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (reply: DurableHostReply) => {
      if (reply.type === 'ready' || reply.type === 'finished') return;
      const settle = this.pending.get(reply.requestId);
      this.pending.delete(reply.requestId);
      settle?.(
        reply.type === 'refused'
          ? { ok: false, code: reply.code, message: reply.message }
          : { ok: true, ...(reply.type === 'started' ? { arn: reply.arn } : {}) },
      );
    });
    child.once('exit', () => {
      for (const settle of this.pending.values())
        settle({ ok: false, code: 'ServiceException', message: 'the durable function’s host exited' });
      this.pending.clear();
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  static start(
    fn: LocalFunction,
    env: NodeJS.ProcessEnv,
    onLine: (line: string) => void,
    onFinished: (reply: Extract<DurableHostReply, { type: 'finished' }>) => void,
    route?: DirectRoute,
  ): Promise<DurableHost> {
    const args = [fn.bundleDir, fn.handler, ...(route ? [JSON.stringify(route)] : [])];
    const child = fork(entryScript(HOST_SOURCE, [TESTING_SDK]), args, {
      env,
      execArgv: [`--max-old-space-size=${Math.max(128, fn.memoryMb)}`],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      detached: true,
    });
    killOnExit(child);
    for (const stream of [child.stdout, child.stderr])
      if (stream) createInterface({ input: stream }).on('line', onLine);
    child.on('message', (reply: DurableHostReply) => {
      if (reply.type === 'finished') onFinished(reply);
    });
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null) =>
        reject(new Error(`${fn.label}: the durable host exited with code ${code} before it was ready`));
      child.once('exit', onExit);
      child.once('message', (reply: DurableHostReply) => {
        if (reply.type !== 'ready') return;
        child.off('exit', onExit);
        resolve(new DurableHost(child));
      });
    });
  }

  ask(
    request:
      | Omit<Extract<DurableHostRequest, { type: 'start' }>, 'requestId'>
      | Omit<Extract<DurableHostRequest, { type: 'callback' }>, 'requestId'>,
  ): Promise<HostAnswer> {
    const requestId = randomUUID();
    return new Promise((resolve) => {
      this.pending.set(requestId, resolve);
      this.child.send({ ...request, requestId } as DurableHostRequest);
    });
  }

  stop(): Promise<void> {
    return stopChild(this.child, 2000);
  }
}

export interface DurableHostsOptions {
  /** What a function's process is started with (endpoints, credentials), as a sandbox is. */
  readonly environmentOf: (fn: LocalFunction) => NodeJS.ProcessEnv;
  /** How many times faster than the wall clock waits pass: the runner's clock speed. */
  readonly timeScale: number;
  readonly onLine: (fn: LocalFunction, line: string) => void;
  /** An execution that ended: its status, and its error unless it succeeded. */
  readonly onFinished: (fn: LocalFunction, reply: Extract<DurableHostReply, { type: 'finished' }>) => void;
  /** With IAM on: how a function's host checks its own DynamoDB requests, as a sandbox does. @default none */
  readonly routeOf?: (fn: LocalFunction) => DirectRoute | undefined;
}

/**
 * The durable functions of the stack, each run by the durable-execution testing SDK's local runner in a host process
 * of its own: Lambda's durable executions, locally. The Lambda endpoint starts executions and completes callbacks
 * through it.
 */
export class DurableHosts {
  private readonly hosts = new Map<string, Promise<DurableHost>>();

  constructor(
    readonly functions: readonly LocalFunction[],
    private readonly options: DurableHostsOptions,
  ) {}

  private host(fn: LocalFunction): Promise<DurableHost> {
    const known = this.hosts.get(fn.name);
    if (known) return known;
    const env = { ...this.options.environmentOf(fn), SJ_DURABLE_TIME_SCALE: String(this.options.timeScale) };
    const started = DurableHost.start(
      fn,
      env,
      (line) => this.options.onLine(fn, line),
      (reply) => this.options.onFinished(fn, reply),
      this.options.routeOf?.(fn),
    );
    // A host that failed to start is started again by the next request.
    started.catch(() => this.hosts.delete(fn.name));
    this.hosts.set(fn.name, started);
    return started;
  }

  /** Starts (or finds, by name) an execution of `fn`; `functionArn` is the qualified ARN it was invoked by. */
  async start(fn: LocalFunction, functionArn: string, name: string, payload: string): Promise<HostAnswer> {
    return (await this.host(fn)).ask({ type: 'start', name, payload, functionArn });
  }

  /** Completes a callback: the host whose execution waits for it answers; the others do not know it. */
  async callback(callbackId: string, outcome: Outcome): Promise<HostAnswer> {
    let last: HostAnswer = { ok: false, code: 'ResourceNotFoundException', message: `No callback ${callbackId} waits` };
    for (const started of this.hosts.values()) {
      const answer = await (await started.catch(() => undefined))?.ask({ type: 'callback', callbackId, outcome });
      if (answer?.ok) return answer;
      if (answer) last = answer;
    }
    return last;
  }

  /** Stops every host by its PID; executions in flight end with it, as a stack torn down ends them. */
  async stop(): Promise<void> {
    const hosts = await Promise.all([...this.hosts.values()].map((started) => started.catch(() => undefined)));
    await Promise.all(hosts.map((host) => host?.stop()));
    this.hosts.clear();
  }
}
