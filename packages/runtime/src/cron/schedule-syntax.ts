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

/** Days in `month` (1-12) of `year`, by the Gregorian leap-year rule. */
function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** A special that must stand alone in its field: `?` means "no value", and Quartz lists no `L` beside others. */
function listedSpecial(part: string, rule: FieldRule): string | undefined {
  const upper = part.toUpperCase();
  if (upper === '?') return '"?" stands for no value and cannot be listed with others';
  if (upper.includes('L')) return `"${part}" (last) cannot be listed with other ${rule.label} values`;
  return undefined;
}

function checkSpecial(part: string, raw: string, rule: FieldRule, fail: (why: string) => never): void {
  const listed = raw.includes(',') ? listedSpecial(part, rule) : undefined;
  if (listed) fail(listed);
  const weekday = /^(\d{1,2})W$/i.exec(part);
  if (weekday && (Number(weekday[1]) < rule.min || Number(weekday[1]) > rule.max))
    fail(`the day in "${part}" is outside ${rule.min}-${rule.max}`);
}

function checkField(raw: string, rule: FieldRule, source: string): void {
  const fail = (why: string): never => {
    throw new ScheduleExpressionError(`Invalid ${rule.label} field "${raw}" in "${source}": ${why}`);
  };
  if ((raw.match(/#/g) ?? []).length > 1) fail('only one "#" (nth weekday of the month) is allowed');
  for (const part of raw.split(',')) {
    if (rule.special.test(part.toUpperCase())) {
      checkSpecial(part, raw, rule, fail);
      continue;
    }
    // Quartz has L-<n>, but AWS documents only L, LW and <n>W, and croner cannot evaluate it: refused, not guessed.
    if (/^L-\d+$/i.test(part))
      fail(`"${part}" (days before the last) is not in AWS's documented syntax; use L, LW or <n>W`);
    const [range, step, extra] = part.split('/');
    if (extra !== undefined || range === undefined || range === '') fail('malformed step');
    if (step !== undefined && !/^\d+$/.test(step)) fail(`step "${step}" is not a number`);
    if (step !== undefined && Number(step) < 1) fail(`step "${step}" must be at least 1`);
    // A step beyond the field's largest value fires once per cycle at most; Quartz and croner refuse it.
    if (step !== undefined && rule.label !== 'year' && Number(step) > rule.max)
      fail(`step "${step}" is larger than ${rule.max}`);
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

/**
 * The values a checked field names, ranges wrapped and steps applied (`a/n` runs to the field's end, as in
 * Quartz); undefined when it holds a special (`?`, `L`, `W`, `#`).
 */
function fieldValues(raw: string, rule: FieldRule): Set<number> | undefined {
  const values = new Set<number>();
  const cycle = rule.max - rule.min + 1;
  for (const part of raw.split(',')) {
    const [range = '', step = '1'] = part.split('/');
    const bounds = range === '*' ? [rule.min, rule.max] : range.split('-').map((bound) => fieldValue(bound, rule));
    const from = bounds[0];
    const to = bounds.length === 2 ? bounds[1] : part.includes('/') ? rule.max : from;
    if (from === undefined || to === undefined) return undefined;
    const span = to >= from ? to - from : to - from + cycle;
    for (let offset = 0; offset <= span; offset += Number(step))
      values.add(rule.min + ((from - rule.min + offset) % cycle));
  }
  return values;
}

/** Refuses days that no month of the month field has (`30 2`: 30 February), as an at() refuses 2026-02-30. */
function checkDaysExist(fields: readonly string[], source: string): void {
  const days = fieldValues(fields[2]!, FIELD_RULES[2]!);
  const months = fieldValues(fields[3]!, FIELD_RULES[3]!);
  if (!days || !months) return;
  // 2000 is a leap year: 29 February exists, if only every fourth year.
  const longest = Math.max(...[...months].map((month) => daysInMonth(2000, month)));
  if (Math.min(...days) > longest) {
    throw new ScheduleExpressionError(
      `Invalid cron expression "${source}": it never fires: no month in "${fields[3]}" has day ` +
        `${Math.min(...days)} (the longest has ${longest})`,
    );
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
  checkDaysExist(fields, source);
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
  return parseAt(body!, source);
}

const AT_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/;

/** A one-time `at(yyyy-mm-ddThh:mm:ss)`: a real calendar date and time, never one that Date would roll over. */
function parseAt(body: string, source: string): ScheduleExpression {
  const fail = (why: string): never => {
    throw new ScheduleExpressionError(`Invalid at expression "${source}": ${why}`);
  };
  const match = AT_TIME.exec(body);
  if (!match) return fail('expected at(yyyy-mm-ddThh:mm:ss)');
  const [yyyy = '', mm = '', dd = '', hh = '', mi = '', ss = ''] = match.slice(1);
  const month = Number(mm);
  if (month < 1 || month > 12) fail(`month ${mm} is outside 01-12`);
  const lastDay = daysInMonth(Number(yyyy), month);
  if (Number(dd) < 1 || Number(dd) > lastDay)
    fail(`day ${dd} is outside 01-${lastDay}: ${yyyy}-${mm} has ${lastDay} days`);
  if (Number(hh) > 23) fail(`hour ${hh} is outside 00-23`);
  if (Number(mi) > 59) fail(`minute ${mi} is outside 00-59`);
  if (Number(ss) > 59) fail(`second ${ss} is outside 00-59`);
  return { kind: 'at', localTime: body, source };
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
