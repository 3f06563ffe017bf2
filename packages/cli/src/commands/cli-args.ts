import { readFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { RunStatus } from '@serverless-jobs/runtime/runtime';
import { parseDuration } from '../ops/duration.ts';
import { OpsInputError } from '../ops/errors.ts';
import { isRunStatus } from '../ops/run-history.ts';
import { UPCOMING_OCCURRENCES } from '../ops/schedule-views.ts';

/** A command line that cannot work: an unknown command or option, a missing or malformed value. Exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Where the CLI works; see `openOpsTarget`. */
export interface GlobalOptions {
  /** true: --local; false: --aws; undefined: npm start when it runs, AWS otherwise. */
  readonly local?: boolean;
  readonly stage: string;
  /** --stack: the stack to operate on AWS, whatever its stage. */
  readonly stack?: string;
  readonly dataDir?: string;
  readonly json: boolean;
}

export type Command =
  /** `requested`: --help, which exits 0; without a command it is a usage error, printed to stderr. */
  | { readonly name: 'help'; readonly text: string; readonly requested: boolean }
  /** --version: the version of this package, the CLI's. */
  | { readonly name: 'version'; readonly version: string }
  | { readonly name: 'list' }
  | { readonly name: 'next'; readonly job: string; readonly schedule?: string; readonly count: number }
  | {
      readonly name: 'send';
      readonly job: string;
      readonly data?: string;
      readonly file?: string;
      readonly id?: string;
      readonly delaySeconds?: number;
    }
  | { readonly name: 'trigger' | 'pause' | 'resume'; readonly job: string; readonly schedule?: string }
  | {
      readonly name: 'schedule';
      readonly job: string;
      readonly expression: string;
      readonly timeZone?: string;
      readonly schedule?: string;
    }
  | {
      readonly name: 'runs';
      readonly job: string;
      readonly statuses: readonly RunStatus[];
      readonly sinceMs?: number;
      readonly limit: number;
    }
  | { readonly name: 'dlq'; readonly job: string; readonly peek: number }
  | { readonly name: 'cancel'; readonly job: string; readonly id: string }
  | {
      readonly name: 'callback';
      readonly job: string;
      readonly id: string;
      readonly outcome: { readonly data: string } | { readonly failure: string };
    }
  | {
      readonly name: 'redrive';
      readonly job: string;
      readonly dryRun: boolean;
      readonly rate?: number;
      readonly filter?: string;
    }
  | { readonly name: 'health'; readonly windowMs: number }
  | { readonly name: 'ledger-import'; readonly from: string }
  | {
      readonly name: 'drift';
      readonly job?: string;
      /** `-c key=value`, as given to cdk deploy: over the context of cdk.json. */
      readonly context: Readonly<Record<string, string>>;
    }
  | {
      readonly name: 'backfill';
      readonly job: string;
      readonly schedule?: string;
      readonly from: Date;
      readonly to: Date;
      readonly dryRun: boolean;
    };

export type ParsedCommandLine = { readonly global: GlobalOptions; readonly command: Command };

export const USAGE = `jobs-cli <command> [options]: operate the jobs on AWS, or on the running npm start

  list                                      the jobs, their schedules, next occurrences and DST shifts
  next <job> [--schedule S] [--count 5]     its next occurrences (at most 100), UTC and local, with DST gaps and repeats
  send <job> --data '<json>' | --file F     send jobs (F: .json payload or array, or .ndjson one per line);
            [--id ID] [--delay 30s|2h]        every payload is validated first; nothing is sent if one is bad
  trigger <job> [--schedule S]              fire the job's schedule now
  pause <job> | resume <job> [--schedule S] stop or restart its schedules
  schedule <job> "<expr>" [--tz Zone]       change its schedule now; prints the cdk.json context to keep it
  runs <job> [--status FAILED,DEAD] [--since 1d] [--limit 20]   its run history, newest first
  cancel <job> <jobId>                      cancel a run not yet finished: a queued one never starts, a running
                                            one stops at its next checkpoint, progress report, enqueue or step
  callback <job> <jobId> --data '<json>' | --fail REASON   complete the callback a durable run waits for
  dlq <job> [--peek 10]                     DLQ counts, and the reason and attempts of the first messages
  redrive <job> [--dry-run] [--rate N] [--filter text|reason=…|jobId=…]   move the DLQ back to the queue
  health [--window 1h]                      Healthy / Degraded / Unhealthy; exit code 0 / 1 / 2
  ledger-import --from TABLE                copy the runs of a ledger of the old layout (index byJob) into
                                            this stack's ledger: docs/data-model.md#moving-from-the-byjob-index
  drift [<job>] [-c key=value]…             schedules whose live expression, zone or state differ from the
                                            declaration with cdk.json's context and -c; what the next deploy does
  backfill <job> --from T --to T [--schedule S] [--dry-run]   enqueue every occurrence in a past range
                                            (ISO times), each once under its own ID; twice adds nothing

  --json          machine-readable output
  --local         the running npm start (default when .local/runner.json names a live process)
  --aws           AWS even when npm start runs: default credentials and region
  --stage S       the stack ServerlessJobs-<S> (default dev)
  --stack NAME    the stack NAME, for an app that names its stack otherwise
  --data-dir DIR  npm start's --data-dir (default .local)
  --version       the CLI's version

  exit codes: 0 done (health: Healthy); 1 an error (health: Degraded; drift: a schedule drifted; cancel: the
  run had finished, nothing changed); 2 a command line or value refused, nothing sent (health: Unhealthy);
  3 nothing to talk to: no npm start running, and no AWS stack reachable`;

const GLOBAL_OPTIONS = {
  json: { type: 'boolean' },
  local: { type: 'boolean' },
  aws: { type: 'boolean' },
  stage: { type: 'string', default: 'dev' },
  stack: { type: 'string' },
  'data-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const satisfies ParseArgsConfig['options'];

const COMMAND_OPTIONS = {
  list: {},
  next: { schedule: { type: 'string' }, count: { type: 'string', default: String(UPCOMING_OCCURRENCES.default) } },
  send: { data: { type: 'string' }, file: { type: 'string' }, id: { type: 'string' }, delay: { type: 'string' } },
  trigger: { schedule: { type: 'string' } },
  pause: { schedule: { type: 'string' } },
  resume: { schedule: { type: 'string' } },
  schedule: { tz: { type: 'string' }, schedule: { type: 'string' } },
  runs: { status: { type: 'string' }, since: { type: 'string' }, limit: { type: 'string', default: '20' } },
  dlq: { peek: { type: 'string', default: '10' } },
  cancel: {},
  callback: { data: { type: 'string' }, fail: { type: 'string' } },
  redrive: { 'dry-run': { type: 'boolean' }, rate: { type: 'string' }, filter: { type: 'string' } },
  health: { window: { type: 'string', default: '1h' } },
  'ledger-import': { from: { type: 'string' } },
  drift: { context: { type: 'string', short: 'c', multiple: true } },
  backfill: {
    from: { type: 'string' },
    to: { type: 'string' },
    schedule: { type: 'string' },
    'dry-run': { type: 'boolean' },
  },
} as const satisfies Record<string, ParseArgsConfig['options']>;

/** This package's version, from its package.json: two folders up from src/commands and from dist/commands. */
function cliVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version?: unknown;
  };
  return String(manifest.version);
}

type CommandName = keyof typeof COMMAND_OPTIONS;
const isCommandName = (name: string): name is CommandName => Object.hasOwn(COMMAND_OPTIONS, name);

/** Converts an ops validation error to a usage error, keeping its message. */
function usage<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof OpsInputError) throw new UsageError(error.message);
    throw error;
  }
}

function positiveNumber(value: string | undefined, option: string, integer: boolean): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed) || parsed <= 0 || (integer && !Number.isInteger(parsed))) {
    throw new UsageError(`--${option} must be a positive ${integer ? 'whole ' : ''}number (given "${value}")`);
  }
  return parsed;
}

/** An ISO 8601 time with a date and a zone or Z (`2027-02-01T06:00:00Z`); a usage error naming the option otherwise. */
function isoTime(value: string | undefined, option: string): Date {
  if (value === undefined) throw new UsageError(`--${option} is required: an ISO time such as 2027-02-01T06:00:00Z`);
  const [year, month, day] = value.slice(0, 10).split('-').map(Number);
  // Date.parse takes 2027-02-31 as March 3
  const realDay = new Date(Date.UTC(year!, month! - 1, day!)).getUTCDate() === day;
  const millis =
    realDay && /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/.test(value)
      ? Date.parse(value)
      : Number.NaN;
  if (!Number.isFinite(millis))
    throw new UsageError(`--${option} must be an ISO time such as 2027-02-01T06:00:00Z (given "${value}")`);
  return new Date(millis);
}

function statuses(value: string | undefined): RunStatus[] {
  if (value === undefined) return [];
  return value.split(',').map((raw) => {
    const status = raw.trim().toUpperCase();
    if (!isRunStatus(status))
      throw new UsageError(`--status takes ${Object.values(RunStatus).join(', ')}, comma-separated (given "${raw}")`);
    return status;
  });
}

/** `-c key=value` pairs, as cdk takes them: the value is everything after the first `=`. */
function contextPairs(pairs: readonly string[]): Record<string, string> {
  const context: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at < 1)
      throw new UsageError(`-c takes key=value, e.g. -c schedule.cleanup="cron(0 3 * * ? *)" (given "${pair}")`);
    context[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return context;
}

/** The positionals a command needs, or a usage error naming the first one missing. */
function needs(command: CommandName, positionals: readonly string[], names: readonly string[]): string[] {
  if (positionals.length < names.length)
    throw new UsageError(
      `${command} needs <${names[positionals.length]}> (given ${positionals.length} of ` +
        `${names.length}); see jobs --help`,
    );
  if (positionals.length > names.length)
    throw new UsageError(
      `${command} takes ${names.length} argument(s) (given an extra "${positionals[names.length]}")`,
    );
  return [...positionals];
}

/** Reads `jobs <command> …` into a command; throws UsageError with the option and the value at fault. */
export function parseCommandLine(argv: readonly string[]): ParsedCommandLine {
  // A first, lenient pass finds the command without mistaking an option's value (`--stage prod`) for it.
  const allOptions = Object.assign({}, GLOBAL_OPTIONS, ...Object.values(COMMAND_OPTIONS)) as ParseArgsConfig['options'];
  const name = parseArgs({ args: [...argv], options: allOptions, allowPositionals: true, strict: false })
    .positionals[0];
  if (name !== undefined && !isCommandName(name)) {
    throw new UsageError(`Unknown command "${name}"; the commands are: ${Object.keys(COMMAND_OPTIONS).join(', ')}`);
  }
  const options = { ...GLOBAL_OPTIONS, ...(name === undefined ? {} : COMMAND_OPTIONS[name]) };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (error) {
    // Node's own text for an unknown option ends in an unbalanced quote: the option is named here instead.
    const unknown = /^Unknown option '([^']+)'/.exec((error as Error).message)?.[1];
    const what = unknown ? `Unknown option ${unknown}; jobs-cli --help lists them` : (error as Error).message;
    throw new UsageError(`${what.split('\n')[0]}${name ? ` (command ${name})` : ''}`);
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  const str = (key: string): string | undefined =>
    typeof values[key] === 'string' ? (values[key] as string) : undefined;
  if (values.local && values.aws) throw new UsageError('--local and --aws exclude each other (given both)');
  const global: GlobalOptions = {
    local: values.local ? true : values.aws ? false : undefined,
    stage: str('stage') ?? 'dev',
    ...(str('stack') === undefined ? {} : { stack: str('stack') }),
    dataDir: str('data-dir'),
    json: values.json === true,
  };
  if (values.version) return { global, command: { name: 'version', version: cliVersion() } };
  if (name === undefined || values.help)
    return { global, command: { name: 'help', text: USAGE, requested: values.help === true } };
  const args = parsed.positionals.slice(1);
  const command = ((): Command => {
    switch (name) {
      case 'list':
        needs(name, args, []);
        return { name };
      case 'next': {
        const [job] = needs(name, args, ['job']);
        const count = positiveNumber(str('count'), 'count', true)!;
        if (count > UPCOMING_OCCURRENCES.max)
          throw new UsageError(`--count must be at most ${UPCOMING_OCCURRENCES.max} (given ${count})`);
        return { name, job: job!, schedule: str('schedule'), count };
      }
      case 'send': {
        const [job] = needs(name, args, ['job']);
        const data = str('data');
        const file = str('file');
        if ((data === undefined) === (file === undefined))
          throw new UsageError(
            `send needs exactly one of --data and --file (given ${data === undefined ? 'neither' : 'both'})`,
          );
        const delay = str('delay');
        const delaySeconds =
          delay === undefined ? undefined : Math.round(usage(() => parseDuration(delay, '--delay')) / 1000);
        return { name, job: job!, data, file, id: str('id'), delaySeconds };
      }
      case 'trigger':
      case 'pause':
      case 'resume': {
        const [job] = needs(name, args, ['job']);
        return { name, job: job!, schedule: str('schedule') };
      }
      case 'schedule': {
        const [job, expression] = needs(name, args, ['job', 'expression']);
        return { name, job: job!, expression: expression!, timeZone: str('tz'), schedule: str('schedule') };
      }
      case 'runs': {
        const [job] = needs(name, args, ['job']);
        const since = str('since');
        return {
          name,
          job: job!,
          statuses: statuses(str('status')),
          sinceMs: since === undefined ? undefined : usage(() => parseDuration(since, '--since')),
          limit: positiveNumber(str('limit'), 'limit', true)!,
        };
      }
      case 'cancel': {
        const [job, id] = needs(name, args, ['job', 'jobId']);
        return { name, job: job!, id: id! };
      }
      case 'callback': {
        const [job, id] = needs(name, args, ['job', 'jobId']);
        const [data, failure] = [str('data'), str('fail')];
        if ((data === undefined) === (failure === undefined))
          throw new UsageError(
            `callback needs --data '<json>' or --fail <reason>, one of them ` +
              `(given ${data === undefined ? 'neither' : 'both'})`,
          );
        return { name, job: job!, id: id!, outcome: data === undefined ? { failure: failure! } : { data } };
      }
      case 'ledger-import': {
        const from = str('from');
        if (from === undefined) throw new UsageError('ledger-import needs --from <the old ledger table>');
        return { name, from };
      }
      case 'dlq': {
        const [job] = needs(name, args, ['job']);
        return { name, job: job!, peek: positiveNumber(str('peek'), 'peek', true)! };
      }
      case 'redrive': {
        const [job] = needs(name, args, ['job']);
        return {
          name,
          job: job!,
          dryRun: values['dry-run'] === true,
          rate: positiveNumber(str('rate'), 'rate', false),
          filter: str('filter'),
        };
      }
      case 'backfill': {
        const [job] = needs(name, args, ['job']);
        return {
          name,
          job: job!,
          schedule: str('schedule'),
          from: isoTime(str('from'), 'from'),
          to: isoTime(str('to'), 'to'),
          dryRun: values['dry-run'] === true,
        };
      }
      case 'drift': {
        const [job] = args.length === 0 ? [] : needs(name, args, ['job']);
        const given = (parsed.values as Record<string, unknown>).context;
        const pairs = Array.isArray(given) ? given.filter((pair): pair is string => typeof pair === 'string') : [];
        return { name, ...(job === undefined ? {} : { job }), context: contextPairs(pairs) };
      }
      case 'health':
        needs(name, args, []);
        return { name, windowMs: usage(() => parseDuration(str('window') ?? '1h', '--window')) };
    }
  })();
  return { global, command };
}
