import { z } from 'zod';
import { emailAddress } from '#shared/jobs/email-fields';
import type { JobDeclaration } from '@serverless-jobs/runtime/jobs';
import { ContextOverrideError } from '@serverless-jobs/cdk/config';
import { quoteContext } from '@serverless-jobs/cdk/config';
import { type ResolvedJob, resolveJobs } from '@serverless-jobs/cdk/config';

/** Everything the stack is built from, read from the app's context. */
export interface AppConfig {
  /** `-c stage=prod`; names the stack `ServerlessJobs-<stage>` and the schedule group. @default 'dev' */
  readonly stage: string;
  /** The SES sender (`-c emailFrom=jobs@example.com`); required when a job sends e-mail. */
  readonly emailFrom: string | undefined;
  readonly jobs: readonly ResolvedJob[];
  /** The per-job overrides for the stack: the context, with `reportRecipients` as each report job's setting. */
  readonly overrides: Readonly<Record<string, unknown>>;
}

export const ContextKey = {
  STAGE: 'stage',
  EMAIL_FROM: 'emailFrom',
  /** Comma-separated list; becomes the `recipients` setting of every job that has one (the report jobs). */
  REPORT_RECIPIENTS: 'reportRecipients',
} as const;

const DEFAULT_STAGE = 'dev';
const STAGE_PATTERN = /^[A-Za-z][A-Za-z0-9-]{0,19}$/;

function recipientsList(raw: unknown): unknown {
  return typeof raw === 'string'
    ? raw
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0)
    : raw;
}

/** `reportRecipients` as `settings.<job>.recipients` entries; an explicit settings entry wins. */
function recipientOverrides(raw: unknown, jobs: readonly JobDeclaration[], errors: string[]): Record<string, unknown> {
  if (raw === undefined) return {};
  const parsed = z.array(emailAddress).min(1).safeParse(recipientsList(raw));
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

/**
 * Reads stage, sender, recipients and the per-job overrides from the context, validating all of them.
 * @throws ContextOverrideError quoting every bad key and value
 */
export function readAppConfig(context: Readonly<Record<string, unknown>>, jobs: readonly JobDeclaration[]): AppConfig {
  const errors: string[] = [];
  const stage = context[ContextKey.STAGE] ?? DEFAULT_STAGE;
  if (typeof stage !== 'string' || !STAGE_PATTERN.test(stage)) {
    errors.push(`${quoteContext(ContextKey.STAGE, stage)}: expected a letter then up to 19 letters, digits or "-"`);
  }
  const emailFrom = context[ContextKey.EMAIL_FROM];
  const needsSender = jobs.some((job) => job.resources.sendsEmail);
  if ((emailFrom !== undefined || needsSender) && !emailAddress.safeParse(emailFrom).success) {
    const senders = jobs
      .filter((job) => job.resources.sendsEmail)
      .map((job) => job.name)
      .join(', ');
    errors.push(
      `${quoteContext(ContextKey.EMAIL_FROM, emailFrom)}: expected the SES sender ` +
        `address${senders ? ` (used by ${senders})` : ''}`,
    );
  }
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
  return { stage: stage as string, emailFrom: emailFrom as string | undefined, jobs: resolved, overrides };
}
