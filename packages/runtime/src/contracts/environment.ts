import type { TableDesign } from '../jobs/table-design.ts';
import { ledgerTable } from './ledger-table.ts';

/**
 * A job function's environment: one contract between the CDK (its only producer, `functionEnvironment`) and
 * the runtime (`readFunctionEnvironment`). The local runner copies it from the template.
 */
export const EnvVar = {
  LEDGER_TABLE: ledgerTable.envVar,
  JOB_QUEUE_URL: 'JOB_QUEUE_URL',
  JOB_DLQ_URL: 'JOB_DLQ_URL',
  /** The job's settings as JSON, cdk.json overrides applied. */
  JOB_SETTINGS: 'JOB_SETTINGS',
  /** The SES sender, for a job that declares `sendsEmail`. */
  EMAIL_FROM: 'EMAIL_FROM',
  POWERTOOLS_SERVICE_NAME: 'POWERTOOLS_SERVICE_NAME',
  POWERTOOLS_METRICS_NAMESPACE: 'POWERTOOLS_METRICS_NAMESPACE',
  /** Set only when a level other than Powertools' default (INFO) is asked for. */
  POWERTOOLS_LOG_LEVEL: 'POWERTOOLS_LOG_LEVEL',
  /** A durable job's starter: the ARN of the alias of its execution function. */
  DURABLE_FUNCTION: 'DURABLE_FUNCTION',
  /**
   * Set by the local runner only: how many times faster than the wall clock a durable job's waits and callback
   * timeouts pass (`npm start -- --clock-speed`).
   */
  DURABLE_TIME_SCALE: 'SJ_DURABLE_TIME_SCALE',
} as const;

/** The watchdog's schedules, as JSON (WatchedSchedule[]): compiled into its bundle, not set in its environment. */
export const WATCHED_SCHEDULES_VARIABLE = 'WATCHED_SCHEDULES';

/**
 * "true" in every function's bundle, compiled in like the watchdog's schedules: there the synth has checked each job
 * declaration already, so `defineJob` leaves its checks out of the bundle. Never set in an environment.
 */
export const FUNCTION_BUNDLE_VARIABLE = 'SJ_FUNCTION_BUNDLE';

/** The environment variable that holds a job's queue URL: `QUEUE_URL_SEND_EMAIL` for `send-email`. */
export const queueUrlVariable = (job: string): string => `QUEUE_URL_${job.toUpperCase().replace(/-/g, '_')}`;

/** What the CDK knows when it builds a function; values may be CloudFormation tokens. */
export interface FunctionEnvironmentInput {
  readonly ledgerTableName: string;
  readonly queueUrl: string;
  readonly deadLetterQueueUrl: string;
  readonly settings: unknown;
  readonly serviceName: string;
  readonly metricsNamespace: string;
  /** The app's tables the job declares, with their physical names. */
  readonly tables: readonly { readonly design: TableDesign; readonly name: string }[];
  readonly emailFrom?: string;
  /** Powertools' log level. @default none: INFO */
  readonly logLevel?: string;
}

/** The environment of a job's function. Queues of other jobs are added one by one, as `queueVariable`. */
export function functionEnvironment(input: FunctionEnvironmentInput): Record<string, string> {
  return {
    [EnvVar.LEDGER_TABLE]: input.ledgerTableName,
    [EnvVar.JOB_QUEUE_URL]: input.queueUrl,
    [EnvVar.JOB_DLQ_URL]: input.deadLetterQueueUrl,
    [EnvVar.JOB_SETTINGS]: JSON.stringify(input.settings ?? {}),
    [EnvVar.POWERTOOLS_SERVICE_NAME]: input.serviceName,
    [EnvVar.POWERTOOLS_METRICS_NAMESPACE]: input.metricsNamespace,
    ...Object.fromEntries(input.tables.map(({ design, name }) => [design.envVar, name])),
    ...(input.emailFrom ? { [EnvVar.EMAIL_FROM]: input.emailFrom } : {}),
    ...(input.logLevel ? { [EnvVar.POWERTOOLS_LOG_LEVEL]: input.logLevel } : {}),
  };
}

/** Reads a variable that the CDK always sets; its absence is a wiring bug, so the message names it. */
export function requireEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (value === undefined || value === '') throw new Error(`Environment variable ${name} is not set`);
  return value;
}

/** The environment as the runtime reads it; each getter throws, naming the variable, when it is missing. */
export interface FunctionEnvironment {
  readonly ledgerTable: string;
  readonly queueUrl: string;
  readonly deadLetterQueueUrl: string;
  /** The settings as given, unparsed; the job's schema validates them. */
  readonly settings: unknown;
  /** The URL of `job`'s queue, which the function may send to when the job is in its `resources.enqueues`. */
  queueUrlOf(job: string): string;
  /** The physical name of one of the app's tables the job declares. */
  tableName(design: TableDesign): string;
  readonly emailFrom: string;
}

export function readFunctionEnvironment(env: NodeJS.ProcessEnv = process.env): FunctionEnvironment {
  return {
    get ledgerTable() {
      return requireEnv(EnvVar.LEDGER_TABLE, env);
    },
    get queueUrl() {
      return requireEnv(EnvVar.JOB_QUEUE_URL, env);
    },
    get deadLetterQueueUrl() {
      return requireEnv(EnvVar.JOB_DLQ_URL, env);
    },
    get settings() {
      return JSON.parse(env[EnvVar.JOB_SETTINGS] ?? '{}') as unknown;
    },
    queueUrlOf: (job) => requireEnv(queueUrlVariable(job), env),
    tableName: (design) => requireEnv(design.envVar, env),
    get emailFrom() {
      return requireEnv(EnvVar.EMAIL_FROM, env);
    },
  };
}
