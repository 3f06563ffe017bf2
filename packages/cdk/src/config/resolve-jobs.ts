import { z } from 'zod';
import { assertTimeZone, parseScheduleExpression } from '@serverless-jobs/runtime/cron';
import { validateDeclaration } from '@serverless-jobs/runtime/jobs';
import type { JobDeclaration, JobSchema } from '@serverless-jobs/runtime/jobs';
import { describeIssues } from '@serverless-jobs/runtime/runtime';
import { ContextOverrideError } from './context-override-error.ts';
import { parseContextValue, quoteContext } from './context-value.ts';

/** A declaration after context overrides, with its settings parsed (defaults applied) by its own schema. */
export interface ResolvedJob {
  readonly declaration: JobDeclaration;
  /** What the function receives as `JOB_SETTINGS`. */
  readonly settings: unknown;
}

type OverrideKind = 'schedule' | 'timezone' | 'settings';

/** One context entry that targets a job: `<kind>.<job>[.<rest>]`. */
interface Override {
  readonly key: string;
  readonly raw: unknown;
  readonly kind: OverrideKind;
  readonly job: string;
  /** Schedule name (schedule, timezone) or setting name (settings). */
  readonly rest?: string;
}

const KINDS: readonly OverrideKind[] = ['schedule', 'timezone', 'settings'];

function collectOverrides(context: Readonly<Record<string, unknown>>): Override[] {
  const overrides: Override[] = [];
  for (const [key, raw] of Object.entries(context)) {
    const [kind, job, ...rest] = key.split('.');
    if (!KINDS.includes(kind as OverrideKind) || job === undefined) continue;
    overrides.push({ key, raw, kind: kind as OverrideKind, job, ...(rest.length > 0 ? { rest: rest.join('.') } : {}) });
  }
  return overrides;
}

function problem(o: Override, message: string): string {
  return `${quoteContext(o.key, o.raw)}: ${message}`;
}

function scheduleIndex(job: JobDeclaration, o: Override, errors: string[]): number | undefined {
  const names = job.schedules.map((s) => s.name);
  if (o.rest !== undefined) {
    const index = names.indexOf(o.rest);
    if (index < 0)
      errors.push(
        problem(o, `job "${job.name}" has no schedule "${o.rest}"; its schedules are: ${names.join(', ') || 'none'}`),
      );
    return index < 0 ? undefined : index;
  }
  if (names.length === 1) return 0;
  errors.push(
    problem(
      o,
      `job "${job.name}" has ${names.length} schedules (${names.join(', ') || 'none'}); name one as ` +
        `"${o.key}.<schedule>"`,
    ),
  );
  return undefined;
}

function applyScheduleOverride(
  job: JobDeclaration,
  o: Override,
  schedules: JobDeclaration['schedules'][number][],
  errors: string[],
): void {
  const index = scheduleIndex(job, o, errors);
  if (index === undefined) return;
  if (typeof o.raw !== 'string') {
    errors.push(problem(o, `expected a string`));
    return;
  }
  const value = o.raw.trim();
  try {
    if (o.kind === 'schedule') parseScheduleExpression(value);
    else assertTimeZone(value);
  } catch (error) {
    errors.push(problem(o, (error as Error).message));
    return;
  }
  const current = schedules[index]!;
  schedules[index] = o.kind === 'schedule' ? { ...current, expression: value } : { ...current, timeZone: value };
}

function settingNames(schema: JobSchema): readonly string[] | undefined {
  return schema instanceof z.core.$ZodObject ? Object.keys(schema._zod.def.shape) : undefined;
}

function resolveSettings(job: JobDeclaration, overrides: readonly Override[], errors: string[]): unknown {
  const known = settingNames(job.settings);
  const input: Record<string, unknown> = {};
  const byName = new Map<string, Override>();
  for (const o of overrides) {
    const name = o.rest;
    if (name === undefined || (known !== undefined && !known.includes(name))) {
      errors.push(
        problem(
          o,
          `job "${job.name}" has no setting "${name ?? ''}"; its settings are: ${known?.join(', ') || 'none'}`,
        ),
      );
      continue;
    }
    try {
      input[name] = parseContextValue(o.raw);
      byName.set(name, o);
    } catch (error) {
      errors.push(problem(o, `not valid JSON: ${(error as Error).message}`));
    }
  }
  const parsed = z.safeParse(job.settings, input);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) {
    const source = byName.get(String(issue.path[0]));
    const message = describeIssues([issue], input);
    errors.push(source ? problem(source, message) : `${job.name}: settings ${message}`);
  }
  return undefined;
}

function resolveJob(job: JobDeclaration, overrides: readonly Override[], errors: string[]): ResolvedJob {
  const schedules = [...job.schedules];
  const before = errors.length;
  for (const o of overrides.filter((x) => x.kind !== 'settings')) applyScheduleOverride(job, o, schedules, errors);
  const declaration: JobDeclaration = { ...job, schedules };
  if (errors.length === before) {
    // The override may be valid alone but not together with the rest (e.g. a time zone on a UTC-only rule).
    const keys = overrides.filter((o) => o.kind !== 'settings').map((o) => quoteContext(o.key, o.raw));
    for (const error of validateDeclaration(declaration, parseScheduleExpression))
      errors.push(keys.length > 0 ? `${keys.join(', ')}: ${error}` : error);
  }
  const settings = resolveSettings(
    job,
    overrides.filter((o) => o.kind === 'settings'),
    errors,
  );
  return { declaration, settings };
}

/**
 * Applies the context overrides `schedule.<job>[.<schedule>]`, `timezone.<job>[.<schedule>]` and
 * `settings.<job>.<key>` to the declarations, validates the result again, and parses each job's settings.
 * @throws ContextOverrideError quoting every bad key and value
 */
export function resolveJobs(
  jobs: readonly JobDeclaration[],
  context: Readonly<Record<string, unknown>>,
): ResolvedJob[] {
  const overrides = collectOverrides(context);
  const errors: string[] = [];
  const names = jobs.map((job) => job.name);
  for (const o of overrides.filter((x) => !names.includes(x.job))) {
    errors.push(problem(o, `unknown job "${o.job}"; the jobs are: ${names.join(', ')}`));
  }
  const resolved = jobs.map((job) =>
    resolveJob(
      job,
      overrides.filter((o) => o.job === job.name),
      errors,
    ),
  );
  if (errors.length > 0) throw new ContextOverrideError(errors);
  return resolved;
}
