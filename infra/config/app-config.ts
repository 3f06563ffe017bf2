import { z } from 'zod';
import { emailAddress } from '#shared/jobs/email-fields';
import type { JobDeclaration } from '@serverless-jobs/runtime/jobs';
import { ContextOverrideError } from '@serverless-jobs/cdk/config';
import { quoteContext } from '@serverless-jobs/cdk/config';
import { type ResolvedJob, resolveJobs } from '@serverless-jobs/cdk/config';
import type { SenderIdentityMode } from '@serverless-jobs/cdk/constructs';
import {
  type AlarmTarget,
  commaList,
  PLACEHOLDER_EMAIL_FROM,
  readAlarmTarget,
  readEmailIdentity,
  readProduction,
  StageContextKey,
} from '#infra/config/stage-config';

/** Everything the stack is built from, read from the app's context. */
export interface AppConfig extends AlarmTarget {
  /** `-c stage=prod`; names the stack `ServerlessJobs-<stage>`, its resources and metrics. @default 'dev' */
  readonly stage: string;
  /** `prod`, or `-c production=true`: deletion-protected tables, and the sender must be given. */
  readonly production: boolean;
  /**
   * The SES sender (`-c emailFrom=jobs@example.com`) when a job sends e-mail: required in production, a
   * placeholder (`jobs@example.com`) in any other stage that gives none.
   */
  readonly emailFrom: string | undefined;
  /** Whether the stack makes the sender's SES identity. @default 'existing' */
  readonly emailIdentity: SenderIdentityMode;
  readonly jobs: readonly ResolvedJob[];
  /** The per-job overrides for the stack: the context, with `reportRecipients` as each report job's setting. */
  readonly overrides: Readonly<Record<string, unknown>>;
}

export const ContextKey = {
  ...StageContextKey,
  STAGE: 'stage',
  EMAIL_FROM: 'emailFrom',
  /** Comma-separated list; becomes the `recipients` setting of every job that has one (the report jobs). */
  REPORT_RECIPIENTS: 'reportRecipients',
} as const;

const DEFAULT_STAGE = 'dev';
const STAGE_PATTERN = /^[A-Za-z][A-Za-z0-9-]{0,19}$/;

/** `reportRecipients` as `settings.<job>.recipients` entries; an explicit settings entry wins. */
function recipientOverrides(raw: unknown, jobs: readonly JobDeclaration[], errors: string[]): Record<string, unknown> {
  if (raw === undefined) return {};
  const parsed = z.array(emailAddress).min(1).safeParse(commaList(raw));
  if (!parsed.success) {
    errors.push(
      `${quoteContext(ContextKey.REPORT_RECIPIENTS, raw)}: ${parsed.error.issues.map((i) => i.message).join('; ')}`,
    );
    return {};
  }
  const takers = jobs.filter(
    (job) => job.settings instanceof z.core.$ZodObject && 'recipients' in job.settings._zod.def.shape,
  );
  return Object.fromEntries(takers.map((job) => [`settings.${job.name}.recipients`, JSON.stringify(parsed.data)]));
}

/** The sender: as given, else a placeholder outside production; a production stage must give it. */
function readEmailFrom(
  context: Readonly<Record<string, unknown>>,
  stage: unknown,
  production: boolean,
  jobs: readonly JobDeclaration[],
  errors: string[],
): string | undefined {
  const senders = jobs
    .filter((job) => job.resources.sendsEmail)
    .map((job) => job.name)
    .join(', ');
  const given = context[ContextKey.EMAIL_FROM];
  if (given === undefined && senders) {
    if (!production) return PLACEHOLDER_EMAIL_FROM;
    errors.push(
      `Context "${ContextKey.EMAIL_FROM}" is required for a production stage (${JSON.stringify(stage)}): ` +
        `the SES sender of ${senders}, e.g. -c ${ContextKey.EMAIL_FROM}=jobs@yourdomain.com`,
    );
    return undefined;
  }
  if (given !== undefined && !emailAddress.safeParse(given).success) {
    errors.push(
      `${quoteContext(ContextKey.EMAIL_FROM, given)}: expected the SES sender ` +
        `address${senders ? ` (used by ${senders})` : ''}`,
    );
  }
  return given as string | undefined;
}

/**
 * Reads stage, production, sender and its identity, alarm target, recipients and the per-job overrides from the
 * context, validating all of them.
 * @throws ContextOverrideError quoting every bad key and value
 */
export function readAppConfig(context: Readonly<Record<string, unknown>>, jobs: readonly JobDeclaration[]): AppConfig {
  const errors: string[] = [];
  const stage = context[ContextKey.STAGE] ?? DEFAULT_STAGE;
  if (typeof stage !== 'string' || !STAGE_PATTERN.test(stage)) {
    errors.push(`${quoteContext(ContextKey.STAGE, stage)}: expected a letter then up to 19 letters, digits or "-"`);
  }
  const production = readProduction(context[ContextKey.PRODUCTION], stage, errors);
  const emailFrom = readEmailFrom(context, stage, production, jobs, errors);
  const emailGiven = context[ContextKey.EMAIL_FROM] !== undefined;
  const emailIdentity = readEmailIdentity(context[ContextKey.EMAIL_IDENTITY], emailGiven, errors);
  const alarmTarget = readAlarmTarget(context, errors);
  const recipients = recipientOverrides(context[ContextKey.REPORT_RECIPIENTS], jobs, errors);
  let resolved: readonly ResolvedJob[] = [];
  const overrides = { ...recipients, ...context };
  try {
    resolved = resolveJobs(jobs, overrides);
  } catch (error) {
    if (!(error instanceof ContextOverrideError)) throw error;
    errors.push(...error.problems);
  }
  if (errors.length > 0) throw new ContextOverrideError(errors);
  return { stage: stage as string, production, emailFrom, emailIdentity, ...alarmTarget, jobs: resolved, overrides };
}
