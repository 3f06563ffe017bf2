/** A parsed EventBridge schedule expression. */
export type ScheduleExpression =
  | { readonly kind: 'cron'; readonly fields: readonly string[]; readonly source: string }
  | { readonly kind: 'rate'; readonly value: number; readonly unit: 'minute' | 'hour' | 'day'; readonly source: string }
  | { readonly kind: 'at'; readonly localTime: string; readonly source: string };

/** Thrown for an expression or time zone that AWS would refuse; the message quotes the value. */
export class ScheduleExpressionError extends Error {
  override readonly name = 'ScheduleExpressionError';
}

const MONTHS = 'JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC';
const DAYS = 'SUN|MON|TUE|WED|THU|FRI|SAT';

interface FieldRule {
  readonly label: string;
  readonly min: number;
  readonly max: number;
  readonly names?: string;
  readonly special: RegExp;
}

// AWS's table of cron fields: https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html
const FIELD_RULES: readonly FieldRule[] = [
  { label: 'minutes', min: 0, max: 59, special: /^$/ },
  { label: 'hours', min: 0, max: 23, special: /^$/ },
  { label: 'day-of-month', min: 1, max: 31, special: /^(\?|L|LW|\d{1,2}W)$/ },
  { label: 'month', min: 1, max: 12, names: MONTHS, special: /^$/ },
  {
    label: 'day-of-week',
    min: 1,
    max: 7,
    names: DAYS,
    special: new RegExp(`^(\\?|L|([1-7]|${DAYS})L|([1-7]|${DAYS})#[1-5])$`),
  },
  { label: 'year', min: 1970, max: 2199, special: /^$/ },
];

function fieldValue(token: string, rule: FieldRule): number | undefined {
  if (/^\d+$/.test(token)) return Number(token);
  if (!rule.names) return undefined;
  const index = rule.names.split('|').indexOf(token.toUpperCase());
  return index < 0 ? undefined : index + 1;
}

/**
 * The number a cron field's token stands for (`FRI` in day-of-week: 6), or undefined; `field` counts from 0 (minutes).
 */
export function cronFieldValue(token: string, field: number): number | undefined {
  const rule = FIELD_RULES[field];
  return rule === undefined ? undefined : fieldValue(token, rule);
}

/** The smallest and largest value of a cron field, counted from 0 (minutes): day-of-week is 1-7. */
export function cronFieldBounds(field: number): { readonly min: number; readonly max: number } | undefined {
  const rule = FIELD_RULES[field];
  return rule && { min: rule.min, max: rule.max };
}

function checkField(raw: string, rule: FieldRule, source: string): void {
  const fail = (why: string): never => {
    throw new ScheduleExpressionError(`Invalid ${rule.label} field "${raw}" in "${source}": ${why}`);
  };
  for (const part of raw.split(',')) {
    if (rule.special.test(part.toUpperCase())) continue;
    // Quartz has L-<n>, but AWS documents only L, LW and <n>W, and croner cannot evaluate it: refused, not guessed.
    if (/^L-\d+$/i.test(part))
      fail(`"${part}" (days before the last) is not in AWS's documented syntax; use L, LW or <n>W`);
    const [range, step, extra] = part.split('/');
    if (extra !== undefined || range === undefined || range === '') fail('malformed step');
    if (step !== undefined && !/^\d+$/.test(step)) fail(`step "${step}" is not a number`);
    if (range === '*') continue;
    const bounds = range!.split('-');
    if (bounds.length > 2) fail(`malformed range "${range}"`);
    const values = bounds.map((bound) => {
      const value = fieldValue(bound, rule);
      if (value === undefined || value < rule.min || value > rule.max)
        fail(`"${bound}" is outside ${rule.min}-${rule.max}`);
      return value!;
    });
    // Other fields wrap around (hours 20-2 is 20-23 and 0-2, as in AWS's examples); a year cannot.
    if (rule.label === 'year' && values.length === 2 && values[0]! > values[1]!)
      fail(`the range "${range}" runs backwards`);
  }
}

function parseCron(body: string, source: string): ScheduleExpression {
  const fields = body.trim().split(/\s+/);
  if (fields.length !== 6) {
    throw new ScheduleExpressionError(
      `Invalid cron expression "${source}": expected 6 fields (minutes hours day-of-month month ` +
        `day-of-week year), got ${fields.length}`,
    );
  }
  fields.forEach((field, i) => checkField(field, FIELD_RULES[i]!, source));
  const [, , dom, , dow] = fields;
  if ((dom === '?') === (dow === '?')) {
    throw new ScheduleExpressionError(
      `Invalid cron expression "${source}": exactly one of day-of-month ("${dom}") and day-of-week ` +
        `("${dow}") must be "?"`,
    );
  }
  return { kind: 'cron', fields, source };
}

function parseRate(body: string, source: string): ScheduleExpression {
  const match = /^\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*$/.exec(body);
  if (!match)
    throw new ScheduleExpressionError(`Invalid rate expression "${source}": expected "rate(<n> <minute|hour|day>s)"`);
  const value = Number(match[1]);
  const plural = match[2]!.endsWith('s');
  if (value < 1) throw new ScheduleExpressionError(`Invalid rate expression "${source}": the value must be at least 1`);
  if ((value === 1) === plural) {
    throw new ScheduleExpressionError(
      `Invalid rate expression "${source}": AWS wants ` +
        `"${value === 1 ? 'minute/hour/day' : 'minutes/hours/days'}" for ${value}`,
    );
  }
  const unit = match[2]!.replace(/s$/, '') as 'minute' | 'hour' | 'day';
  return { kind: 'rate', value, unit, source };
}

/**
 * Parses `cron(...)`, `rate(...)` or `at(...)` against AWS's syntax table, and throws a ScheduleExpressionError
 * that quotes the value. Croner's second opinion on a cron is `parseScheduleExpression` in schedule-expression.ts;
 * this half has no dependency, so the job declarations that a function bundles do not pull croner in.
 */
export function parseScheduleSyntax(source: string): ScheduleExpression {
  const match = /^(cron|rate|at)\((.*)\)$/.exec(source.trim());
  if (!match)
    throw new ScheduleExpressionError(
      `Invalid schedule expression "${source}": expected cron(...), rate(...) or at(...)`,
    );
  const [, kind, body] = match;
  if (kind === 'cron') return parseCron(body!, source);
  if (kind === 'rate') return parseRate(body!, source);
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/.test(body!)) {
    throw new ScheduleExpressionError(`Invalid at expression "${source}": expected at(yyyy-mm-ddThh:mm:ss)`);
  }
  return { kind: 'at', localTime: body!, source };
}

/** Throws a ScheduleExpressionError unless `zone` is an IANA time zone this runtime knows. */
export function assertTimeZone(zone: string): void {
  // Every runtime knows UTC, and the first DateTimeFormat loads ICU's zone data: ~30 ms of each function's
  // cold start, where the registry's UTC schedules are checked as the job modules load.
  if (zone === 'UTC') return;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
  } catch {
    throw new ScheduleExpressionError(
      `Invalid time zone "${zone}": expected an IANA name such as "Europe/Berlin" or "UTC"`,
    );
  }
}
