import { assertTimeZone, parseScheduleSyntax } from '../cron/schedule-syntax.ts';
import { durationMs } from '../runtime/duration.ts';
import { describeIssues } from '../runtime/validation-message.ts';
import * as z from '../runtime/zod-mini.ts';
import type {
  CallbackDeclaration,
  DurableSettings,
  JobDeclaration,
  JobDeclarationInput,
  JobSchema,
  ResolvedDurableSettings,
} from './job-declaration.ts';
import { FairnessKeyError, fairnessErrors, fairnessKeyOf } from './fairness.ts';
import { PLAIN_TABLE_ACCESS, type ResolvedTableUse, TABLE_ACCESS, type TableUse } from './table-use.ts';
import type { TableDesign } from './table-design.ts';

/** Thrown when a declaration is unsafe or inconsistent; lists every problem at once. */
export class JobDeclarationError extends Error {
  override readonly name = 'JobDeclarationError';
}

const NO_SETTINGS = z.object({});

function range(errors: string[], job: string, label: string, value: number, min: number, max: number): void {
  if (!Number.isFinite(value) || value < min || value > max) {
    errors.push(`${job}: ${label} must be between ${min} and ${max} inclusive (given ${value})`);
  }
}

/**
 * A plain design keeps the meaning it had before accesses existed: read, write and delete. The CDK warns about it
 * at synth.
 */
function resolveTableUse(entry: TableUse | TableDesign): ResolvedTableUse {
  if (!('table' in entry)) return { table: entry, access: PLAIN_TABLE_ACCESS, explicit: false };
  const access = typeof entry.access === 'string' ? [entry.access] : [...new Set(entry.access)];
  return { table: entry.table, access, explicit: true };
}

/** Each table named twice, and each access that is not read, write, delete or scan, as messages. */
function tableUseErrors(job: string, uses: readonly ResolvedTableUse[]): string[] {
  const errors: string[] = [];
  const seen = new Set<string>();
  for (const { table, access } of uses) {
    const where = `${job}: resources.tables, table "${table.id}"`;
    if (seen.has(table.id)) errors.push(`${where} is named twice; name it once, with every access it needs`);
    seen.add(table.id);
    if (access.length === 0 || access.some((one) => !TABLE_ACCESS.includes(one))) {
      errors.push(
        `${where}: access must be read, write, delete or scan, or a list of them (given ${JSON.stringify(access)})`,
      );
    }
  }
  return errors;
}

/** The longest execution Lambda allows a durable function: 366 days. */
export const MAX_EXECUTION_TIMEOUT_SECONDS = 31_622_400;

function resolveDurable(input: DurableSettings): ResolvedDurableSettings {
  const ms = durationMs(String(input.executionTimeout));
  return {
    executionTimeoutSeconds: ms === undefined ? Number.NaN : ms / 1000,
    retentionDays: input.retentionDays ?? 14,
    callbacks: input.callbacks ?? [],
  };
}

/**
 * A callback a durable job waits for: declare it in the job's `durable.callbacks` and wait for it with
 * `ctx.waitForCallback(callback, …)`, which returns its data as `data` parses it.
 */
export function defineCallback<S extends JobSchema>(name: string, data: S): CallbackDeclaration<S> {
  return { name, data };
}

function callbackErrors(job: string, callbacks: readonly CallbackDeclaration[]): string[] {
  const errors: string[] = [];
  const seen = new Set<string>();
  for (const { name } of callbacks) {
    if (typeof name !== 'string' || name.length === 0 || name.startsWith('sj:'))
      errors.push(
        `${job}: a callback's name must be a non-empty string not starting with "sj:" (given ${JSON.stringify(name)})`,
      );
    else if (seen.has(name)) errors.push(`${job}: durable.callbacks names "${name}" twice`);
    seen.add(name);
  }
  return errors;
}

function durableErrors(job: JobDeclaration, given: DurableSettings | undefined): string[] {
  const durable = job.durable;
  if (!durable) return [];
  const errors: string[] = [];
  if (!Number.isInteger(durable.executionTimeoutSeconds)) {
    errors.push(
      `${job.name}: durable.executionTimeout must be a duration such as 36h or 2d (given ` +
        `${JSON.stringify(given?.executionTimeout)})`,
    );
  } else {
    range(
      errors,
      job.name,
      'durable.executionTimeout in seconds',
      durable.executionTimeoutSeconds,
      1,
      MAX_EXECUTION_TIMEOUT_SECONDS,
    );
  }
  const outlive = job.queueRetentionDays + job.dlqRetentionDays + job.redriveWindowDays;
  const executionDays = Math.ceil(durable.executionTimeoutSeconds / 86_400);
  if (job.ledgerRetentionDays <= outlive + executionDays) {
    errors.push(
      `${job.name}: ledgerRetentionDays must exceed queue + DLQ retention + redrive window + the execution ` +
        `timeout = ${outlive + executionDays} days, or the run record could expire before its execution ends ` +
        `(given ${job.ledgerRetentionDays})`,
    );
  }
  errors.push(...callbackErrors(job.name, durable.callbacks));
  range(errors, job.name, 'durable.retentionDays', durable.retentionDays, 1, 90);
  if (!Number.isInteger(durable.retentionDays))
    errors.push(`${job.name}: durable.retentionDays must be a whole number of days (given ${durable.retentionDays})`);
  return errors;
}

/** A schedule's payload may go without the key (its occurrences go without a group), but not hold a bad one. */
function scheduleKeyErrors(where: string, policy: { readonly key: string }, payload: unknown): string[] {
  try {
    fairnessKeyOf(policy, payload);
    return [];
  } catch (error) {
    if (!(error instanceof FairnessKeyError)) throw error;
    return [`${where}: payload ${error.message}`];
  }
}

function declarationErrors(input: JobDeclarationInput<JobSchema, JobSchema>, declaration: JobDeclaration): string[] {
  const errors = [...validateDeclaration(declaration), ...durableErrors(declaration, input.durable)];
  for (const target of input.resources?.enqueues ?? []) {
    if (typeof target === 'string' && target !== input.name) {
      errors.push(
        `${input.name}: resources.enqueues names another job by its name; give its declaration (given "${target}")`,
      );
    }
  }
  return errors;
}

/** Applies every default in one place, then validates, collecting all errors before throwing once. */
export function defineJob<S extends JobSchema, C extends JobSchema = typeof NO_SETTINGS>(
  input: JobDeclarationInput<S, C>,
): JobDeclaration<S, C> {
  const queueRetentionDays = input.queueRetentionDays ?? 4;
  const batchSize = input.batchSize ?? 10;
  const declaration: JobDeclaration<S, C> = {
    name: input.name,
    description: input.description,
    payload: input.payload,
    settings: input.settings ?? (NO_SETTINGS as unknown as C),
    timeoutSeconds: input.timeoutSeconds ?? 30,
    memoryMb: input.memoryMb ?? 256,
    batchSize,
    batchingWindowSeconds: input.batchingWindowSeconds ?? 0,
    maxConcurrency: input.maxConcurrency ?? 5,
    recordConcurrency: input.recordConcurrency ?? batchSize,
    retry: {
      attempts: input.retry?.attempts ?? 3,
      backoff: input.retry?.backoff ?? { type: 'exponential', delaySeconds: 10, maxDelaySeconds: 900, jitter: 0.2 },
    },
    schedules: (input.schedules ?? []).map((s) => ({
      name: s.name,
      expression: s.expression,
      timeZone: s.timeZone ?? 'UTC',
      payload: s.payload,
      overlap: s.overlap ?? 'skip',
      catchUp: s.catchUp ?? { window: '6h', mode: 'latest' },
      dstGap: s.dstGap ?? 'skip',
      lateAfter: s.lateAfter ?? '5m',
      via: s.via ?? 'scheduler',
    })),
    alarms: {
      oldestMessageAgeSeconds: input.alarms?.oldestMessageAgeSeconds ?? 900,
      errorRatePercent: input.alarms?.errorRatePercent ?? 10,
      durationOfTimeout: input.alarms?.durationOfTimeout ?? 0.8,
    },
    ledgerRetentionDays: input.ledgerRetentionDays ?? 45,
    queueRetentionDays,
    dlqRetentionDays: 14,
    redriveWindowDays: 7,
    resources: {
      tables: (input.resources?.tables ?? []).map(resolveTableUse),
      enqueues: (input.resources?.enqueues ?? []).map((target) => (typeof target === 'string' ? target : target.name)),
      enqueueTargets: (input.resources?.enqueues ?? []).filter((target) => typeof target !== 'string'),
      sendsEmail: input.resources?.sendsEmail ?? false,
    },
    ...(input.durable ? { durable: resolveDurable(input.durable) } : {}),
    ...(input.fairness === undefined ? {} : { fairness: { key: input.fairness.key } }),
  };
  // In a function's bundle the synth checked this declaration already (FunctionBundle compiles the variable in as
  // "true"), so the checks, the schedule syntax table and all that only they use stay out of the bundle.
  const errors = process.env.SJ_FUNCTION_BUNDLE === 'true' ? [] : declarationErrors(input, declaration);
  if (errors.length > 0) throw new JobDeclarationError(`Invalid job declaration:\n- ${errors.join('\n- ')}`);
  return declaration;
}

/**
 * Every rule a declaration must keep; also run again after cdk.json overrides are applied.
 * @param parseExpression checks each schedule's expression and throws a message that quotes it.
 *   @default parseScheduleSyntax, AWS's syntax table: what a function bundle can carry. The synth passes
 *   parseScheduleExpression, which adds croner's second opinion, so nothing deploys without it.
 */
export function validateDeclaration(
  job: JobDeclaration,
  parseExpression: (source: string) => unknown = parseScheduleSyntax,
): string[] {
  const errors: string[] = [];
  const name = job.name;
  if (!/^[a-z][a-z0-9-]{1,40}$/.test(name))
    errors.push(`job name must be kebab-case, 2-41 characters (given "${name}")`);
  range(errors, name, 'timeoutSeconds', job.timeoutSeconds, 1, 900);
  range(errors, name, 'memoryMb', job.memoryMb, 128, 10240);
  range(errors, name, 'batchSize', job.batchSize, 1, 10000);
  range(errors, name, 'batchingWindowSeconds', job.batchingWindowSeconds, 0, 300);
  range(errors, name, 'maxConcurrency', job.maxConcurrency, 2, 1000);
  range(errors, name, 'recordConcurrency', job.recordConcurrency, 1, job.batchSize);
  range(errors, name, 'retry.attempts', job.retry.attempts, 1, 100);
  range(errors, name, 'retry.backoff.delaySeconds', job.retry.backoff.delaySeconds, 0, 43200);
  range(errors, name, 'retry.backoff.jitter', job.retry.backoff.jitter ?? 0.2, 0, 1);
  range(errors, name, 'queueRetentionDays', job.queueRetentionDays, 1, job.dlqRetentionDays - 1);
  if (job.batchSize > 10 && job.batchingWindowSeconds < 1) {
    errors.push(
      `${name}: a batchSize above 10 needs a batchingWindowSeconds of at least 1 (given batchSize ` +
        `${job.batchSize}, window ${job.batchingWindowSeconds})`,
    );
  }
  const mustOutlive = job.queueRetentionDays + job.dlqRetentionDays + job.redriveWindowDays;
  if (job.ledgerRetentionDays <= mustOutlive) {
    errors.push(
      `${name}: ledgerRetentionDays must exceed queue + DLQ retention + redrive window = ` +
        `${mustOutlive} days, or a redriven message could run twice (given ${job.ledgerRetentionDays})`,
    );
  }
  errors.push(...tableUseErrors(name, job.resources.tables));
  const fairness = fairnessErrors(name, job.fairness, job.payload);
  errors.push(...fairness);
  const seen = new Set<string>();
  for (const schedule of job.schedules) {
    const where = `${name}: schedule "${schedule.name}"`;
    if (seen.has(schedule.name)) errors.push(`${where} is declared twice`);
    seen.add(schedule.name);
    if (!/^[a-z][a-z0-9-]{0,30}$/.test(schedule.name)) errors.push(`${where}: the name must be kebab-case`);
    for (const check of [() => parseExpression(schedule.expression), () => assertTimeZone(schedule.timeZone)]) {
      try {
        check();
      } catch (error) {
        errors.push(`${where}: ${(error as Error).message}`);
      }
    }
    if (!['skip', 'bufferOne', 'allow'].includes(schedule.overlap))
      errors.push(`${where}: overlap must be skip, bufferOne or allow (given ${JSON.stringify(schedule.overlap)})`);
    if (!['latest', 'all', 'none'].includes(schedule.catchUp.mode))
      errors.push(
        `${where}: catchUp.mode must be latest, all or none (given ${JSON.stringify(schedule.catchUp.mode)})`,
      );
    if (!(durationMs(schedule.catchUp.window)! > 0))
      errors.push(
        `${where}: catchUp.window must be a duration such as 30m, 6h or 2d (given ` +
          `${JSON.stringify(schedule.catchUp.window)})`,
      );
    if (!['skip', 'shift'].includes(schedule.dstGap))
      errors.push(`${where}: dstGap must be skip or shift (given ${JSON.stringify(schedule.dstGap)})`);
    if (!(durationMs(schedule.lateAfter)! > 0))
      errors.push(
        `${where}: lateAfter must be a duration such as 5m or 1h (given ${JSON.stringify(schedule.lateAfter)})`,
      );
    if (schedule.via === 'rule' && schedule.timeZone !== 'UTC') {
      errors.push(
        `${where}: EventBridge rules run in UTC only; use via 'scheduler' for time zone "${schedule.timeZone}"`,
      );
    }
    const parsed = z.safeParse(job.payload, schedule.payload);
    if (!parsed.success) errors.push(`${where}: payload ${describeIssues(parsed.error.issues, schedule.payload)}`);
    if (job.fairness && fairness.length === 0) errors.push(...scheduleKeyErrors(where, job.fairness, schedule.payload));
  }
  return errors;
}
