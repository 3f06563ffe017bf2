import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { JobDeclaration } from '@serverless-jobs/runtime/jobs';
import { RUNNER_STATE_FILE, type RunnerState } from '@serverless-jobs/runtime/contracts';
import { SQSClient } from '@aws-sdk/client-sqs';
import { isStale, readCloudAssembly, synthesize } from './cloud-assembly.ts';
import { childPids, onChildStarted } from './child-processes.ts';
import { EMULATOR_DATA, type EmulatorSet, emulatorEnvironment, startEmulators } from './emulators.ts';
import { type AccessChecker, startAccessChecker } from './iam/access-checker.ts';
import {
  callersOf,
  checkedEnvironment,
  directRouteOf,
  OPERATOR_ACCESS_KEY,
  refusalLine,
} from './iam/function-identities.ts';
import type { Emulator } from './loopback.ts';
import { functionEnvironment } from './function-environment.ts';
import { FunctionOutput, type LogFormat } from './function-output.ts';
import { buildLocalModel, type LocalFunction, type LocalMapping, type LocalModel } from './local-model.ts';
import { type DurableRuntime, startDurableRuntime } from './lambda-endpoint.ts';
import { provision } from './provision.ts';
import { SavedStateFile } from './saved-state.ts';
import { Sandbox } from './sandbox.ts';
import { ScheduleRunner, scheduleLabel } from './schedule-runner.ts';
import { type PollerEvent, SqsPoller } from './sqs-poller.ts';
import { type LocalDashboard, startLocalDashboard } from '../dashboard/start-dashboard.ts';
import { VirtualClock } from './virtual-clock.ts';

export interface LocalStackOptions {
  /** The project folder. */
  readonly root: string;
  /**
   * The app's job declarations, the framework's watchdog included (`withScheduleWatchdog`): the dashboard
   * lists and validates with them. The runner itself runs what the template has. @default []
   */
  readonly jobs?: readonly JobDeclaration[];
  /** @default '<root>/cdk.out' */
  readonly cdkOut?: string;
  /** Runner state (runner.json, metrics.ndjson) and, when persisted, what a restart keeps. @default '<root>/.local' */
  readonly dataDir?: string;
  /**
   * Keep in `dataDir`, across restarts, what AWS keeps: tables (`dynamodb/`), queues with their messages (`sqs/`),
   * schedule changes and one-time sends (`schedules.json`), and the e-mails received (`ses/`). @default true
   */
  readonly persist?: boolean;
  /** Drop what an earlier run kept in `dataDir` before starting. @default false */
  readonly reset?: boolean;
  /** `auto` synthesizes when cdk.out is older than the sources. @default 'auto' */
  readonly synth?: 'auto' | 'always' | 'never';
  /** Extra `-c key=value` for the synth. @default [] */
  readonly context?: readonly string[];
  readonly ports?: { readonly sqs?: number; readonly dynamodb?: number; readonly ses?: number };
  /**
   * For benchmarks: a DynamoDB Local already running (its JIT warmed up), used instead of starting one; the
   * stack creates its tables in it if missing and leaves it running. `persist` then does not apply to it.
   */
  readonly dynamodb?: Emulator;
  /**
   * At most this many lanes per event source mapping: concurrent invocations, each in a sandbox (a node
   * process) of its own. A mapping whose maximum concurrency is lower keeps it; Lambda, too, treats that
   * setting as a ceiling, not a target. @default {@link defaultLanes} (2 per CPU core)
   */
  readonly maxLanes?: number;
  /** @default 1 */
  readonly clockSpeed?: number;
  /** Virtual start time of the schedules' clock. @default now */
  readonly startAt?: number;
  /**
   * Schedules (`job/schedule`) that start paused in the runner, e.g. the watchdog in a test at a high clock speed;
   * for this run only, not kept as a change.
   * @default []
   */
  readonly pausedSchedules?: readonly string[];
  /**
   * Check each function's requests to the emulators against its role's policies, as IAM does; refused requests get
   * AWS's AccessDenied error and a log line. Operators (the CLI, the dashboard, seeding) keep full access.
   * @default true
   */
  readonly iam?: boolean;
  /** @default 'pretty' */
  readonly logFormat?: LogFormat;
  readonly write?: (text: string) => void;
  /** Keep the synth's output unless it fails. @default false */
  readonly quietSynth?: boolean;
  /**
   * The dashboard and control API on 127.0.0.1; `port` is preferred (a free one if taken), absent means any
   * free port; `false` runs without it. @default {} (any free port)
   */
  readonly dashboard?: { readonly port?: number } | false;
  /**
   * For benchmarks: change an event source mapping before its poller starts (batch size, window), and see
   * the SQS client every poller and schedule uses (to meter its requests). @default none
   */
  readonly instrument?: {
    readonly mapping?: (mapping: LocalMapping, fn: LocalFunction | undefined) => LocalMapping;
    readonly sqsClient?: (client: SQSClient) => void;
    /** Every poller's news: each invocation with its size and duration. */
    readonly report?: (event: PollerEvent) => void;
    /** Every line a function printed, as it printed it (log and EMF lines), before the runner formats it. */
    readonly line?: (label: string, text: string) => void;
  };
}

const SAVED_STATE_FILE = 'schedules.json';
const METRICS_FILE = 'metrics.ndjson';

/**
 * Two lanes per CPU core, and never fewer than 2 (the lowest maximum concurrency Lambda allows). Every
 * sandbox and emulator shares this machine's cores: past about two sandboxes per core, each job costs more
 * CPU and throughput falls. send-email, 10,000 jobs end to end on 2 cores (BENCHMARKS.md): 193, 217, 236,
 * 184 and 116 jobs/s at 2, 3, 4, 6 and 10 lanes.
 */
export function defaultLanes(cores = availableParallelism()): number {
  return Math.max(2, 2 * cores);
}

/** The whole system on emulators, built from the synthesized template and its bundled assets. */
export class LocalStack {
  private constructor(
    readonly model: LocalModel,
    readonly emulators: EmulatorSet,
    readonly output: FunctionOutput,
    readonly schedules: ScheduleRunner,
    readonly pollers: readonly SqsPoller[],
    readonly clock: VirtualClock,
    /** runner.json: endpoints, the dashboard and its token, for the CLI. */
    readonly stateFile: string,
    /** The cap on each mapping's lanes: `maxLanes`, or {@link defaultLanes}. */
    readonly maxLanes: number,
    /** What each function's sandbox is started with: endpoints (through the IAM check when on) and credentials. */
    readonly environmentOf: (fn: LocalFunction) => NodeJS.ProcessEnv,
    private readonly checker: AccessChecker | undefined,
    /** The durable functions' hosts and the local Lambda endpoint, when the stack has a durable job. */
    private readonly durable: DurableRuntime | undefined,
  ) {}

  /** The poller of a job's event source mapping, by the job's label. */
  pollerOf(label: string): SqsPoller | undefined {
    return this.pollers.find((poller) => poller.functionLabel === label);
  }

  private unsubscribe?: () => void;
  /** The dashboard and control API, unless started with `dashboard: false`. */
  dashboard?: LocalDashboard;

  private writeState(): void {
    writeFileSync(this.stateFile, JSON.stringify(this.describe(), null, 2));
  }

  static async start(options: LocalStackOptions, progress: (message: string) => void = () => {}): Promise<LocalStack> {
    const cdkOut = options.cdkOut ?? join(options.root, 'cdk.out');
    const mode = options.synth ?? 'auto';
    if (mode === 'always' || (mode === 'auto' && isStale(cdkOut, options.root)) || (options.context?.length ?? 0) > 0) {
      progress('Synthesizing the CDK app (cdk synth)…');
      await synthesize(options.root, cdkOut, options.context, options.quietSynth);
    } else {
      progress(`Reusing the up-to-date ${cdkOut}`);
    }
    const assembly = readCloudAssembly(cdkOut);
    progress('Starting DynamoDB Local, fauxqs (SQS) and aws-ses-v2-local (SES) on 127.0.0.1…');
    const dataDir = options.dataDir ?? join(options.root, '.local');
    mkdirSync(dataDir, { recursive: true });
    if (options.reset) {
      for (const name of [...EMULATOR_DATA, SAVED_STATE_FILE, METRICS_FILE])
        rmSync(join(dataDir, name), { recursive: true, force: true });
      progress(`Reset: dropped the tables, queues, schedule changes and e-mails kept in ${dataDir}`);
    }
    const persist = options.persist ?? true;
    const saved = new SavedStateFile(persist ? join(dataDir, SAVED_STATE_FILE) : undefined);
    // Until the functions' output is set up, a restart of DynamoDB Local is reported as start-up progress.
    let noteRestart = progress;
    const emulators = await startEmulators({
      onRestart: (message) => noteRestart(message),
      dataDir: persist ? dataDir : undefined,
      ports: options.ports,
      dynamodb: options.dynamodb,
    });
    let checker: AccessChecker | undefined;
    let durable: DurableRuntime | undefined;
    try {
      const env = emulatorEnvironment(emulators);
      const clientConfig = {
        endpoint: '',
        region: env.AWS_REGION,
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      };
      const sqs = new SQSClient({ ...clientConfig, endpoint: emulators.sqs.endpoint, useQueueUrlAsEndpoint: false });
      const dynamodb = new DynamoDBClient({ ...clientConfig, endpoint: emulators.dynamodb.endpoint });
      options.instrument?.sqsClient?.(sqs);
      const built = buildLocalModel(assembly, { sqs: emulators.sqs.endpoint });
      const adjust = options.instrument?.mapping;
      const model: LocalModel = adjust
        ? {
            ...built,
            mappings: built.mappings.map((m) =>
              adjust(
                m,
                built.functions.find((f) => f.logicalId === m.functionLogicalId),
              ),
            ),
          }
        : built;
      const { tables, queues } = model;
      // Those kept from the last start are left as they are: a restart creates only what is missing.
      progress(`Provisioning ${tables.length} tables and ${queues.length} queues from ${assembly.stackName}…`);
      await provision(model, { dynamodb, sqs });
      const output = new FunctionOutput(options.logFormat ?? 'pretty', join(dataDir, METRICS_FILE), options.write);
      const printed = (label: string, text: string): void => {
        options.instrument?.line?.(label, text);
        output.line(label, text);
      };
      noteRestart = (message) => output.note('emulators', message);
      if (options.iam === false) {
        output.note('iam', 'IAM is not enforced (--no-iam): functions may do locally what their roles refuse on AWS');
      } else {
        checker = await startAccessChecker({
          upstreams: {
            dynamodb: emulators.dynamodb.endpoint,
            sqs: emulators.sqs.endpoint,
            ses: emulators.ses.endpoint,
          },
          inProcess: { sqs: emulators.sqs.handle, ses: emulators.ses.handle },
          callers: callersOf(model),
          operatorKeys: new Set([OPERATOR_ACCESS_KEY]),
          onRefused: (refusal) => output.note(refusal.label, refusalLine(refusal)),
        });
        for (const fn of model.functions)
          for (const statement of fn.identity.unresolved)
            output.note(fn.label, `IAM: a statement of its role is not checked locally: ${statement}`);
      }
      const access = checker;
      const routeOf = (fn: LocalFunction) =>
        access && directRouteOf(fn, access.endpoints.dynamodb, emulators.dynamodb.endpoint);
      durable = await startDurableRuntime(
        model.functions,
        {
          environmentOf: (fn) => environmentOf(fn),
          routeOf,
          timeScale: options.clockSpeed ?? 1,
          onLine: (fn, line) => printed(fn.label, line),
          onFinished: (fn, { name, status, run, error }) =>
            output.note(
              fn.label,
              // What the run became, where the execution says: a cancelled run's execution itself succeeds.
              `durable execution ${name} ended${run ? `: its run ${run}` : ` ${status}`}${error ? `: ${error}` : ''}`,
            ),
        },
        {
          iam: access ? { callers: callersOf(model), operatorKeys: new Set([OPERATOR_ACCESS_KEY]) } : undefined,
          onRefused: (caller, action, resource, why) =>
            output.note(caller.label, `IAM refused ${action} on ${resource} to ${caller.functionName}: ${why}`),
          note: (what) => output.note('lambda', what),
        },
      );
      const lambdaEnv: Record<string, string> = durable ? { AWS_ENDPOINT_URL_LAMBDA: durable.url } : {};
      const environmentOf = (fn: LocalFunction): NodeJS.ProcessEnv =>
        functionEnvironment(fn, {
          ...(access ? { ...env, ...checkedEnvironment(fn, access.endpoints) } : env),
          ...lambdaEnv,
        });
      const queueUrl = (logicalId: string): string => {
        const queue = model.queues.find((q) => q.logicalId === logicalId);
        if (!queue) throw new Error(`No queue "${logicalId}" in the stack`);
        return queue.url;
      };
      const maxLanes = options.maxLanes ?? defaultLanes();
      const pollers = model.mappings.map((mapping) => {
        const fn = model.functions.find((f) => f.logicalId === mapping.functionLogicalId);
        const queue = model.queues.find((q) => q.logicalId === mapping.queueLogicalId);
        if (!fn || !queue)
          throw new Error(`Event source mapping ${mapping.logicalId} points at a function or queue not in the stack`);
        const sandboxEnv = environmentOf(fn);
        const route = routeOf(fn);
        return new SqsPoller({
          client: sqs,
          mapping,
          fn,
          queueUrl: queueUrl(queue.logicalId),
          queueArn: queue.arn,
          lanes: maxLanes,
          startSandbox: () => Sandbox.start(fn, sandboxEnv, (line) => printed(fn.label, line), route),
          report: (event) => {
            options.instrument?.report?.(event);
            if (event.kind === 'abandoned') {
              output.note(
                event.label,
                `invocation abandoned: ${event.reason}; its ${event.size} records return after the visibility timeout`,
              );
            }
          },
        });
      });
      const clock = new VirtualClock(options.startAt, options.clockSpeed);
      const schedules = new ScheduleRunner({
        client: sqs,
        clock,
        schedules: model.schedules,
        queueUrlOf: queueUrl,
        report: (schedule, occurrence) => output.note(scheduleLabel(schedule), 'schedule fired', { occurrence }),
        onChange: (changes) => saved.saveSchedules(changes),
      });
      const { restored, dropped } = schedules.restore(saved.schedules);
      if (restored.length > 0) progress(`Schedule changes kept from the last run: ${restored.join(', ')}`);
      if (dropped.length > 0)
        progress(`Schedule changes dropped, as a deploy drops them (the template changed): ${dropped.join(', ')}`);
      for (const state of schedules.states)
        if (options.pausedSchedules?.includes(scheduleLabel(state.schedule))) schedules.pauseForThisRun(state);
      // The schedules start right after the clock: at a high clock speed, any wait in between skips occurrences.
      for (const poller of pollers) poller.start();
      schedules.start();
      const stack = new LocalStack(
        model,
        emulators,
        output,
        schedules,
        pollers,
        clock,
        join(dataDir, RUNNER_STATE_FILE),
        maxLanes,
        environmentOf,
        checker,
        durable,
      );
      if (options.dashboard !== false) {
        try {
          stack.dashboard = await startLocalDashboard({
            model,
            schedules,
            clock,
            output,
            sqs,
            dynamodb,
            jobs: options.jobs ?? [],
            port: options.dashboard?.port,
            sends: { saved: saved.sends, save: (sends) => saved.saveSends(sends) },
          });
        } catch (error) {
          schedules.stop();
          await Promise.all(pollers.map((poller) => poller.stop(0)));
          throw error;
        }
      }
      stack.writeState();
      stack.unsubscribe = onChildStarted(() => stack.writeState());
      return stack;
    } catch (error) {
      await durable?.stop();
      await checker?.stop();
      await emulators.stop();
      throw error;
    }
  }

  /**
   * Closes the SQS emulator and opens it again on the same port, as an outage of SQS would look to the pollers and
   * functions (their calls fail, then are retried). Its queues and messages survive when the stack persists.
   */
  async restartSqs(): Promise<void> {
    const began = Date.now();
    await this.emulators.sqs.restart();
    this.output.note('emulators', `SQS (fauxqs) restarted: down ${Date.now() - began} ms`);
  }

  /** Endpoints and names, as printed in the ready line and written for the CLI. */
  describe(): RunnerState & { childPids: number[] } {
    return {
      pid: process.pid,
      childPids: childPids(),
      stackName: this.model.stackName,
      endpoints: {
        sqs: this.emulators.sqs.endpoint,
        dynamodb: this.emulators.dynamodb.endpoint,
        ses: this.emulators.ses.endpoint,
        ...(this.durable ? { lambda: this.durable.url } : {}),
      },
      outputs: this.model.outputs,
      ...(this.dashboard ? { dashboard: { url: this.dashboard.url, token: this.dashboard.token } } : {}),
    };
  }

  /**
   * Stops polling and schedules, waits for in-flight invocations up to `graceMs`, then stops every emulator it started.
   */
  async stop(graceMs = 10_000): Promise<void> {
    await this.dashboard?.stop();
    this.schedules.stop();
    this.unsubscribe?.();
    await Promise.all(this.pollers.map((poller) => poller.stop(graceMs)));
    await this.durable?.stop();
    await this.checker?.stop();
    await this.emulators.stop();
    rmSync(this.stateFile, { force: true });
  }
}
