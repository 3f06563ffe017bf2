import { z } from 'zod';
import { parseContextValue, quoteContext } from '@serverless-jobs/cdk/config';
import { SENDER_IDENTITY_MODES, type SenderIdentityMode } from '@serverless-jobs/cdk/constructs';
import { emailAddress } from '#shared/jobs/email-fields';

/** The context keys of what a stage is, besides its name: production or not, its sender's identity, its pager. */
export const StageContextKey = {
  /** `true` marks a stage as production; the stage `prod` always is. */
  PRODUCTION: 'production',
  /** `existing` (default), `domain` or `address`: whether the stack makes the sender's SES identity. */
  EMAIL_IDENTITY: 'emailIdentity',
  /** Comma-separated addresses that the alarm topic e-mails. */
  ALARM_EMAIL: 'alarmEmail',
  /** An existing SNS topic for the alarms instead of the stack's own. */
  ALARM_TOPIC_ARN: 'alarmTopicArn',
} as const;

/** The stage that is production whatever the context says. */
export const PRODUCTION_STAGE = 'prod';

/** The sender of a non-production stage that gives none: a placeholder the local SES emulator takes. */
export const PLACEHOLDER_EMAIL_FROM = 'jobs@example.com';

/** A standard topic: CloudWatch alarm actions cannot publish to a FIFO one. */
const TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/;

/** Splits a comma-separated context value; anything else is passed on for the schema to refuse. */
export function commaList(raw: unknown): unknown {
  return typeof raw === 'string'
    ? raw
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0)
    : raw;
}

/** Whether `stage` is production: `prod` always, any other stage with `-c production=true`. */
export function readProduction(raw: unknown, stage: unknown, errors: string[]): boolean {
  const isProd = stage === PRODUCTION_STAGE;
  if (raw === undefined) return isProd;
  let value: unknown = raw;
  try {
    value = parseContextValue(raw);
  } catch {
    // Not JSON: refused below, quoted as given.
  }
  if (typeof value !== 'boolean') {
    errors.push(`${quoteContext(StageContextKey.PRODUCTION, raw)}: expected true or false`);
    return isProd;
  }
  if (isProd && !value) {
    errors.push(
      `${quoteContext(StageContextKey.PRODUCTION, raw)}: stage "${PRODUCTION_STAGE}" is always production; ` +
        'deploy a non-production stage under another name',
    );
    return true;
  }
  return value;
}

/** The sender's SES identity mode; the stack can make one only for a sender given explicitly. */
export function readEmailIdentity(raw: unknown, emailFromGiven: boolean, errors: string[]): SenderIdentityMode {
  if (raw === undefined) return 'existing';
  const quoted = quoteContext(StageContextKey.EMAIL_IDENTITY, raw);
  const mode = SENDER_IDENTITY_MODES.find((m) => m === raw);
  if (!mode) {
    errors.push(`${quoted}: expected ${SENDER_IDENTITY_MODES.join(', ').replace(/, (?=[^,]*$)/, ' or ')}`);
    return 'existing';
  }
  if (mode !== 'existing' && !emailFromGiven) {
    errors.push(`${quoted}: the stack makes the identity of the sender, so it needs -c emailFrom=<address>`);
    return 'existing';
  }
  return mode;
}

export interface AlarmTarget {
  readonly alarmEmails: readonly string[];
  readonly alarmTopicArn: string | undefined;
}

/** Who the health alarm notifies: addresses on the stack's own topic, or an existing topic; never both. */
export function readAlarmTarget(context: Readonly<Record<string, unknown>>, errors: string[]): AlarmTarget {
  const rawEmails = context[StageContextKey.ALARM_EMAIL];
  const rawArn = context[StageContextKey.ALARM_TOPIC_ARN];
  let alarmEmails: readonly string[] = [];
  if (rawEmails !== undefined) {
    const parsed = z.array(emailAddress).min(1).safeParse(commaList(rawEmails));
    if (parsed.success) alarmEmails = parsed.data;
    else {
      const issues = parsed.error.issues.map((i) => i.message).join('; ');
      errors.push(`${quoteContext(StageContextKey.ALARM_EMAIL, rawEmails)}: ${issues}`);
    }
  }
  let alarmTopicArn: string | undefined;
  if (rawArn !== undefined) {
    const quoted = quoteContext(StageContextKey.ALARM_TOPIC_ARN, rawArn);
    if (typeof rawArn !== 'string' || !TOPIC_ARN.test(rawArn.trim())) {
      errors.push(`${quoted}: expected the ARN of a standard SNS topic, arn:aws:sns:<region>:<account>:<name>`);
    } else if (rawEmails !== undefined) {
      errors.push(
        `${quoted}: give either alarmEmail or alarmTopicArn, not both (subscribe the addresses to that topic ` +
          'where it is managed)',
      );
    } else alarmTopicArn = rawArn.trim();
  }
  return { alarmEmails, alarmTopicArn };
}
