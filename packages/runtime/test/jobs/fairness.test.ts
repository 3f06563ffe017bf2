import { describe, expect, it } from 'vitest';
import {
  defineJob,
  fairnessKeyOf,
  type JobDeclaration,
  messageGroupIdOf,
  messageGroupOf,
} from '@serverless-jobs/runtime/jobs';
import * as z from '@serverless-jobs/runtime/zod';

const payload = z.object({
  customerId: z.string(),
  customer: z.optional(z.object({ id: z.number() })),
  n: z.number(),
});
const base = { name: 'demo', description: 'demo', payload };

describe('Declaration: fairness', () => {
  it('is absent unless declared, and kept as given', () => {
    expect(defineJob(base).fairness).toBeUndefined();
    expect(defineJob({ ...base, fairness: { key: 'customerId' } }).fairness).toEqual({ key: 'customerId' });
    expect(defineJob({ ...base, fairness: { key: 'customer.id' } }).fairness).toEqual({ key: 'customer.id' });
  });

  it('refuses a key that is not a field path, quoting it', () => {
    expect(() => defineJob({ ...base, fairness: { key: 'customer id' } })).toThrow(
      'demo: fairness.key must name a payload field, or a dotted path to one such as customer.id (given "customer id")',
    );
    expect(() => defineJob({ ...base, fairness: { key: '' } })).toThrow('(given "")');
  });

  it("refuses a field the payload's object schema does not have, naming it and the fields there are", () => {
    expect(() => defineJob({ ...base, fairness: { key: 'customerID' } })).toThrow(
      'demo: fairness.key names field "customerID", which the payload schema does not have (given "customerID"; ' +
        'its fields: customerId, customer, n)',
    );
    expect(() => defineJob({ ...base, fairness: { key: 'customer.name' } })).toThrow(
      'names field "name", which the payload schema does not have (given "customer.name"; its fields: id)',
    );
  });

  it('takes any path into a schema it cannot look into (a record, a union)', () => {
    const open = z.record(z.string(), z.unknown());
    expect(defineJob({ ...base, payload: open, fairness: { key: 'tenant.id' } }).fairness).toEqual({
      key: 'tenant.id',
    });
  });

  it('refuses a schedule whose payload holds an object where the key is, and takes one without the key', () => {
    const schedule = { name: 'nightly', expression: 'cron(0 3 * * ? *)' };
    const keyed = {
      ...base,
      payload: z.object({ customerId: z.optional(z.unknown()) }),
      fairness: { key: 'customerId' },
    };
    expect(() => defineJob({ ...keyed, schedules: [{ ...schedule, payload: { customerId: { a: 1 } } }] })).toThrow(
      'demo: schedule "nightly": payload field "customerId" (fairness.key) must hold a string, a number or a ' +
        'boolean (given {"a":1})',
    );
    expect(defineJob({ ...keyed, schedules: [{ ...schedule, payload: {} }] }).schedules).toHaveLength(1);
  });
});

describe('Function: fairnessKeyOf', () => {
  const policy = { key: 'customer.id' };

  it('reads a string, a number or a boolean at the path, as text', () => {
    expect(fairnessKeyOf({ key: 'customerId' }, { customerId: 'c-1' })).toBe('c-1');
    expect(fairnessKeyOf(policy, { customer: { id: 42 } })).toBe('42');
    expect(fairnessKeyOf(policy, { customer: { id: false } })).toBe('false');
  });

  it('finds no key where the field is missing, null or empty, or a step is not an object', () => {
    for (const payload of [
      {},
      { customer: null },
      { customer: { id: null } },
      { customer: { id: '' } },
      'text',
      null,
    ]) {
      expect(fairnessKeyOf(policy, payload), JSON.stringify(payload)).toBeUndefined();
    }
    expect(fairnessKeyOf(policy, { customer: [{ id: 1 }] })).toBeUndefined();
  });

  it('refuses an object, an array or a number that is not finite, naming the field and the value', () => {
    expect(() => fairnessKeyOf(policy, { customer: { id: { a: 1 } } })).toThrow(
      'field "customer.id" (fairness.key) must hold a string, a number or a boolean (given {"a":1})',
    );
    expect(() => fairnessKeyOf(policy, { customer: { id: [1] } })).toThrow('(given [1])');
    expect(() => fairnessKeyOf(policy, { customer: { id: Number.NaN } })).toThrow('(given null)');
  });
});

describe('Function: messageGroupIdOf / messageGroupOf', () => {
  it('keeps a key SQS takes as a MessageGroupId, and hashes any other, two keys staying two groups', () => {
    expect(messageGroupIdOf('customer-42/eu')).toBe('customer-42/eu');
    const spaced = messageGroupIdOf('ACME Inc.');
    expect(spaced).toMatch(/^sha256:[\w-]{43}$/);
    expect(messageGroupIdOf('ACME  Inc.')).not.toBe(spaced);
    expect(messageGroupIdOf('é')).toMatch(/^sha256:/);
    expect(messageGroupIdOf('x'.repeat(128))).toBe('x'.repeat(128));
    expect(messageGroupIdOf('x'.repeat(129))).toMatch(/^sha256:/);
  });

  it('gives a group only to a job that declares fairness, and only for a payload with a key', () => {
    const fair = defineJob({ ...base, fairness: { key: 'customerId' } }) as JobDeclaration;
    expect(messageGroupOf(fair, { customerId: 'c-1', n: 1 })).toBe('c-1');
    expect(messageGroupOf(fair, { n: 1 })).toBeUndefined();
    expect(messageGroupOf(defineJob(base) as JobDeclaration, { customerId: 'c-1', n: 1 })).toBeUndefined();
  });
});
