import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { JobDeclaration } from '@serverless-jobs/runtime/jobs';
import { lockDataDir } from './data-dir-lock.ts';
import { defaultLanes, LocalStack } from './local-stack.ts';
import { readyMessage } from './ready-message.ts';

const usage = (extra: string): string => `npm start -- [options]
  --clock-speed N        run the schedules' clock N times faster (e.g. 1440: a day in a minute)
  --start-at ISO         start the schedules' clock at this time (e.g. 2026-03-29T00:00:00+01:00)
  --log-format F         pretty (default) or json
  --max-lanes N          at most N concurrent invocations (sandboxes) per job; a job's lower maxConcurrency
                         wins (default 2 per CPU core: ${defaultLanes()} here)
  --grace-seconds N      on Ctrl-C, wait this long for running invocations (default 10)
  --synth                synthesize even if cdk.out is up to date; --no-synth never
  -c key=value           CDK context for the synth, as with cdk (repeatable)
  --sqs-port, --dynamodb-port, --ses-port N   fixed ports (default 9324, 8000, 8005; a free one if taken; 0 = any)
  --dashboard-port N     the dashboard and control API (default 8090; a free one if taken; 0 = any)
  --data-dir DIR         where the stack keeps its data, runner.json and metrics.ndjson (default .local)
  --reset                start clean: drop the tables, queues, schedule changes and e-mails kept in the data dir
  --in-memory            keep nothing: tables, queues, schedule changes and e-mails live in memory only
  --no-iam               let functions do what their roles would not allow on AWS (default: refused, as IAM does)
  --cdk-out DIR          the cloud assembly to run (default cdk.out)${extra}`;

function number(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0)
    throw new Error(`--${name} must be a positive number (given "${value}")`);
  return parsed;
}

function wholeNumber(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1)
    throw new Error(`--${name} must be a whole number of at least 1 (given "${value}")`);
  return parsed;
}

/** A port: 0 means any free one. */
function port(value: string | undefined, name: string, fallback: number): number | undefined {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65535)
    throw new Error(`--${name} must be a port from 0 to 65535 (given "${value}")`);
  return parsed === 0 ? undefined : parsed;
}

export interface StartCommandOptions {
  /** The app's folder: where cdk.json is, and `.local/` and `cdk.out/` by default. */
  readonly root: string;
  /** The app's job declarations, for the dashboard (see `withScheduleWatchdog`). */
  readonly jobs: readonly JobDeclaration[];
  /** Flags of the app's own, with their help lines; their values reach `afterStart`. @default {} */
  readonly flags?: Readonly<Record<string, { readonly help: string }>>;
  /** Runs once the stack is up, before the ready message: e.g. writing demo data. */
  readonly afterStart?: (stack: LocalStack, flags: ReadonlySet<string>) => Promise<void>;
}

/**
 * The `npm start` command: synthesizes when needed, starts the stack on emulators, prints where everything is,
 * and stops everything it started on SIGINT or SIGTERM.
 */
export async function runStartCommand(argv: readonly string[], options: StartCommandOptions): Promise<void> {
  // The SDK's notice that Node 20 support ends is for the maintainers, not for every start.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const appFlags = Object.entries(options.flags ?? {});
  const { values } = parseArgs({
    args: [...argv],
    options: {
      'clock-speed': { type: 'string' },
      'start-at': { type: 'string' },
      'log-format': { type: 'string', default: 'pretty' },
      'grace-seconds': { type: 'string', default: '10' },
      'max-lanes': { type: 'string' },
      synth: { type: 'boolean' },
      'no-synth': { type: 'boolean' },
      'no-iam': { type: 'boolean' },
      context: { type: 'string', short: 'c', multiple: true },
      'sqs-port': { type: 'string' },
      'dynamodb-port': { type: 'string' },
      'ses-port': { type: 'string' },
      'dashboard-port': { type: 'string' },
      'in-memory': { type: 'boolean' },
      reset: { type: 'boolean' },
      'data-dir': { type: 'string' },
      'cdk-out': { type: 'string' },
      ...Object.fromEntries(appFlags.map(([name]) => [name, { type: 'boolean' as const }])),
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help)
    return void console.log(usage(appFlags.map(([name, flag]) => `\n  --${name.padEnd(21)}${flag.help}`).join('')));
  const logFormat = values['log-format'];
  if (logFormat !== 'pretty' && logFormat !== 'json')
    throw new Error(`--log-format must be "pretty" or "json" (given "${logFormat}")`);
  const startAt = values['start-at'] === undefined ? undefined : Date.parse(values['start-at']);
  if (startAt !== undefined && Number.isNaN(startAt))
    throw new Error(`--start-at must be an ISO date-time (given "${values['start-at']}")`);
  const root = options.root;
  const began = Date.now();
  const graceMs = (number(values['grace-seconds'], 'grace-seconds') ?? 10) * 1000;
  // Signals are taken from the first moment: a Ctrl-C during start-up waits for the start, then stops
  // what it started (DynamoDB Local runs in its own process group and would otherwise outlive us).
  let stack: LocalStack | undefined;
  let stopping = false;
  const dataDir = resolve(root, values['data-dir'] ?? '.local');
  const releaseLock = lockDataDir(dataDir);
  process.once('exit', releaseLock);
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    if (!stack) return void console.log(`\n${signal}: stopping as soon as start-up has finished…`);
    console.log(
      `\n${signal}: stopping pollers and schedules; waiting up to ${graceMs / 1000} s for running invocations…`,
    );
    stack.stop(graceMs).then(
      () => {
        console.log('Stopped: every emulator and sandbox the runner started has exited.');
        process.exit(0);
      },
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  // A parent that dies (npm killed, a process manager's wrapper) takes the stack with it: we are re-parented.
  const parent = process.ppid;
  setInterval(() => process.ppid !== parent && shutdown('parent exited'), 1000).unref();
  stack = await LocalStack.start(
    {
      root,
      jobs: options.jobs,
      dataDir,
      cdkOut: resolve(root, values['cdk-out'] ?? 'cdk.out'),
      persist: !values['in-memory'],
      reset: values.reset,
      iam: !values['no-iam'],
      synth: values.synth ? 'always' : values['no-synth'] ? 'never' : 'auto',
      context: values.context ?? [],
      ports: {
        sqs: port(values['sqs-port'], 'sqs-port', 9324),
        dynamodb: port(values['dynamodb-port'], 'dynamodb-port', 8000),
        ses: port(values['ses-port'], 'ses-port', 8005),
      },
      clockSpeed: number(values['clock-speed'], 'clock-speed') ?? 1,
      maxLanes: wholeNumber(values['max-lanes'], 'max-lanes'),
      startAt,
      logFormat,
      dashboard: { port: port(values['dashboard-port'], 'dashboard-port', 8090) },
    },
    (message) => console.log(message),
  );
  if (stopping) {
    stopping = false;
    return shutdown('SIGINT');
  }
  const given = new Set(
    appFlags.map(([name]) => name).filter((name) => (values as Record<string, unknown>)[name] === true),
  );
  await options.afterStart?.(stack, given);
  console.log(readyMessage(stack, (Date.now() - began) / 1000));
  console.log('\nPress Ctrl-C to stop.\n');
}
