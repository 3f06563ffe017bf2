import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { assertTimeZone, parseScheduleExpression } from '@serverless-jobs/runtime/cron';
import type { JobDeclaration } from '@serverless-jobs/runtime/jobs';
import { OpsInputError } from './errors.ts';

/** The CDK context a deploy gives the app: the "context" of cdk.json, then each `-c key=value`. */
export type DeployContext = Readonly<Record<string, unknown>>;

const cdkJson = z.looseObject({ context: z.record(z.string(), z.unknown()).optional() });

/** The "context" of `<root>/cdk.json`, which every `cdk deploy` from that folder reads; {} without the file. */
export function readCdkContext(root: string): DeployContext {
  const file = join(root, 'cdk.json');
  if (!existsSync(file)) return {};
  let parsed: z.infer<typeof cdkJson>;
  try {
    parsed = cdkJson.parse(JSON.parse(readFileSync(file, 'utf8')));
  } catch (error) {
    throw new OpsInputError(`Cannot read the context of ${file}: ${(error as Error).message.split('\n')[0]}`, {
      cause: error,
    });
  }
  return parsed.context ?? {};
}

/** One schedule as the next synth declares it: its declaration with the context overrides applied. */
export interface DeclaredSchedule {
  readonly expression: string;
  readonly timeZone: string;
  /** The context keys that changed it (`schedule.cleanup`), in the order they apply. */
  readonly keys: readonly string[];
}

const quote = (key: string, raw: unknown): string => `Context "${key}" = ${JSON.stringify(raw)}`;

/**
 * The expression and zone of one schedule after the overrides `schedule.<job>[.<schedule>]` and
 * `timezone.<job>[.<schedule>]`, applied in the context's order as the synth applies them (resolveJobs of
 * @serverless-jobs/cdk, which this package may not import). A value the synth refuses is refused here too.
 */
export function declaredSchedule(job: JobDeclaration, schedule: string, context: DeployContext): DeclaredSchedule {
  const declared = job.schedules.find((s) => s.name === schedule);
  if (!declared) throw new OpsInputError(`Job "${job.name}" has no schedule "${schedule}"`);
  let { expression, timeZone } = declared;
  const keys: string[] = [];
  for (const [key, raw] of Object.entries(context)) {
    const [kind, name, ...rest] = key.split('.');
    if ((kind !== 'schedule' && kind !== 'timezone') || name !== job.name) continue;
    if (rest.length === 0 && job.schedules.length !== 1)
      throw new OpsInputError(
        `${quote(key, raw)}: job "${job.name}" has ${job.schedules.length} schedules; name one as ` +
          `"${key}.<schedule>" (cdk synth refuses it too)`,
      );
    if ((rest.length === 0 ? job.schedules[0]!.name : rest.join('.')) !== schedule) continue;
    if (typeof raw !== 'string') throw new OpsInputError(`${quote(key, raw)}: expected a string`);
    const value = raw.trim();
    try {
      if (kind === 'schedule') parseScheduleExpression(value);
      else assertTimeZone(value);
    } catch (error) {
      throw new OpsInputError(`${quote(key, raw)}: ${(error as Error).message} (cdk synth refuses it too)`, {
        cause: error,
      });
    }
    if (kind === 'schedule') expression = value;
    else timeZone = value;
    keys.push(key);
  }
  return { expression, timeZone, keys };
}
