import { describe, expect, it } from 'vitest';
import { processOrderJob } from '#shared/jobs/process-order';
import { describeIssues } from '@serverless-jobs/runtime/runtime';
import * as z from '@serverless-jobs/runtime/zod';

const issuesOf = (schema: z.ZodMiniType, input: unknown): string => {
  const checked = z.safeParse(schema, input);
  if (checked.success) throw new Error('expected the input to be refused');
  return describeIssues(checked.error.issues, input);
};

describe('Function: describeIssues', () => {
  it('names the field and the value given', () => {
    expect(issuesOf(processOrderJob.payload, { orderId: 'a b' })).toBe(
      'field "orderId": must be letters, digits, _ or - (given "a b")',
    );
  });

  it('names each key the schema does not have as the field, with its value, nested ones by their path', () => {
    expect(issuesOf(processOrderJob.payload, { orderId: 'o-1', extra: 1, note: 'x' })).toBe(
      'field "extra": not a known field (given 1); field "note": not a known field (given "x")',
    );
    const nested = z.object({ item: z.strictObject({ sku: z.string() }) });
    expect(issuesOf(nested, { item: { sku: 'a', qty: 2 } })).toBe('field "item.qty": not a known field (given 2)');
  });

  it('calls a field left out required, with what it takes; a value of another type keeps its message', () => {
    const schema = z.strictObject({ to: z.string(), count: z.number(), note: z.optional(z.string()) });
    expect(issuesOf(schema, { count: 1 })).toBe('field "to": required: a string (given nothing)');
    expect(issuesOf(schema, { to: 'a', count: '1' })).toBe(
      'field "count": Invalid input: expected number, received string (given "1")',
    );
    expect(issuesOf(z.object({ list: z.array(z.string()) }), {})).toBe(
      'field "list": required: an array (given nothing)',
    );
    expect(issuesOf(z.object({ payload: z.nonoptional(z.unknown()) }), {})).toBe(
      'field "payload": required (given nothing)',
    );
  });
});
