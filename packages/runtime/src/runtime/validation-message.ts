import type * as z from './zod-mini.ts';

const MAX_VALUE_LENGTH = 80;

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = input;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    // String() of a 10,000-level nested array recurses too and threw
    // RangeError out of processRecord, so a poison message was retried instead of dead-lettered.
    try {
      text = String(value);
    } catch {
      text = Array.isArray(value) ? '[a nested array too deep to show]' : `[${typeof value} too deep to show]`;
    }
  }
  return text.length > MAX_VALUE_LENGTH ? `${text.slice(0, MAX_VALUE_LENGTH)}…` : text;
}

/** `field "to": Invalid email address (given "bob")`, one clause per issue, so a user sees what to fix. */
export function describeIssues(issues: readonly z.core.$ZodIssue[], input: unknown): string {
  const clause = (path: readonly PropertyKey[], message: string): string => {
    const field = path.length > 0 ? path.map(String).join('.') : '(payload)';
    return `field "${field}": ${message} (given ${show(valueAt(input, path))})`;
  };
  return issues
    .flatMap((issue) =>
      // A key the schema does not have is named as the field, with its value, rather than as its parent's issue.
      issue.code === 'unrecognized_keys'
        ? issue.keys.map((key) => clause([...issue.path, key], 'not a known field'))
        : [clause(issue.path, messageOf(issue, input))],
    )
    .join('; ');
}

/**
 * The issue's own message, but a field left out is "required" (zod says "Invalid input: expected string, received
 * undefined", or "expected nonoptional" for a required field of a default).
 */
function messageOf(issue: z.core.$ZodIssue, input: unknown): string {
  if (issue.code !== 'invalid_type' || issue.path.length === 0 || valueAt(input, issue.path) !== undefined)
    return issue.message;
  if (issue.expected === 'nonoptional') return 'required';
  return `required: ${/^[aeiou]/i.test(issue.expected) ? 'an' : 'a'} ${issue.expected}`;
}
