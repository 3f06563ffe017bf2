import { randomUUID } from 'node:crypto';
import fc from 'fast-check';

/** The hostile records of the poison-payload run: every kind SQS can still carry to a job. */
/** What SQS can carry at all (it refuses any other character in a body or attribute), so what can arrive. */
export const SQS_CHARACTERS = /^[\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]*$/u;
/** fauxqs checks bodies against the Basic Multilingual Plane only (it refuses emoji that SQS takes). */
export const FAUXQS_CHARACTERS = /^[\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd]*$/;

export interface HostileCase {
  readonly kind: string;
  readonly body: string;
  readonly attributes?: Record<string, string>;
}

export const INJECTIONS = [
  '\r\nBcc: victim@example.com',
  '\nBcc: victim@example.com',
  '\r',
  '\n',
  'x\r\n\r\n<html>',
  '\u0000',
  '\r\nContent-Type: text/html',
];
export const UNICODE = [
  '\ud800',
  '\udfff',
  'a\ud83dz',
  '\u202eevil\u202c',
  '\u200b\u200c\u200d\ufeff',
  '😀👩‍👩‍👧‍👦',
  '\u2028\u2029',
  '\u0085',
  'Ω≈ç√',
  'ﷺ',
  '\uffff',
];
export const POLLUTION_KEYS = ['__proto__', 'constructor', 'prototype'] as const;

export function deep(levels: number, leaf = '1'): string {
  return '['.repeat(levels) + leaf + ']'.repeat(levels);
}

export function deepObject(levels: number): string {
  return `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
}

export const address = fc.constantFrom('ada@example.com', 'bob@example.org', 'c.d+tag@example.net');
export const withId = (payload: string, id: string): string => `{"id":${JSON.stringify(id)},"payload":${payload}}`;

export const nonJson: fc.Arbitrary<HostileCase> = fc
  .oneof(
    fc.string().map((s) => `{${s}`),
    fc.string().map((s) => `<xml>${s}`),
    fc.constantFrom(
      '',
      'undefined',
      'NaN',
      "{'to':'a@b.co'}",
      '{"to":"a@b.co",}',
      '\u0000',
      '\ufeff{}',
      '[1,2',
      '"unterminated',
    ),
    fc.string({ unit: 'binary', minLength: 1 }).filter((s) => {
      try {
        JSON.parse(s);
        return false;
      } catch {
        return true;
      }
    }),
  )
  .map((body) => ({ kind: 'not JSON', body }));

export const wrongTypes: fc.Arbitrary<HostileCase> = fc
  .record(
    {
      to: fc.jsonValue(),
      subject: fc.jsonValue(),
      text: fc.jsonValue(),
      replyTo: fc.option(fc.jsonValue(), { nil: undefined }),
    },
    { requiredKeys: [] },
  )
  .chain((payload) =>
    fc.constantFrom(JSON.stringify(payload), withId(JSON.stringify(payload), `wrong-${randomUUID()}`)),
  )
  .map((body) => ({ kind: 'wrong types', body }));

export const topLevelOdd: fc.Arbitrary<HostileCase> = fc
  .oneof(
    fc.jsonValue(),
    fc.constantFrom(
      'null',
      '[]',
      '"string"',
      '42',
      'true',
      '{"payload":null}',
      '{"payload":[]}',
      '{"id":"","payload":{}}',
      '{"job":"process-order","payload":{}}',
    ),
  )
  .map((value) => ({ kind: 'odd top level', body: typeof value === 'string' ? value : JSON.stringify(value) }));

export const headerInjection: fc.Arbitrary<HostileCase> = fc
  .record({
    field: fc.constantFrom('to', 'subject', 'replyTo'),
    injection: fc.constantFrom(...INJECTIONS),
    to: address,
    at: fc.nat(20),
  })
  .map(({ field, injection, to, at }) => {
    const payload: Record<string, string> = { to, subject: 'Hello there', text: 'body', replyTo: 'reply@example.com' };
    const value = payload[field]!;
    const cut = Math.min(at, value.length);
    payload[field] = value.slice(0, cut) + injection + value.slice(cut);
    return { kind: `header injection in ${field}`, body: withId(JSON.stringify(payload), `inject-${randomUUID()}`) };
  });

export const pollution: fc.Arbitrary<HostileCase> = fc
  .record({
    key: fc.constantFrom(...POLLUTION_KEYS),
    where: fc.constantFrom('payload', 'envelope', 'nested', 'raw'),
    to: address,
  })
  .map(({ key, where, to }) => {
    const polluted = `{"polluted":"yes","toString":"x","isAdmin":true}`;
    const valid = `"to":${JSON.stringify(to)},"subject":"hi","text":"t"`;
    const id = `pollute-${randomUUID()}`;
    const bodies: Record<string, string> = {
      payload: withId(`{${valid},"${key}":${polluted}}`, id),
      envelope: `{"id":"${id}","payload":{${valid}},"${key}":${polluted}}`,
      nested: withId(`{${valid},"text":{"${key}":{"prototype":${polluted}}}}`, id),
      raw: `{"${key}":${polluted},${valid}}`,
    };
    return { kind: `prototype pollution (${key} in ${where})`, body: bodies[where]! };
  });

export const unicode: fc.Arbitrary<HostileCase> = fc
  .record({
    field: fc.constantFrom('to', 'subject', 'text', 'id', 'jobIdAttribute'),
    weird: fc.constantFrom(...UNICODE),
    to: address,
  })
  .map(({ field, weird, to }) => {
    const payload: Record<string, string> = { to, subject: `Subject ${weird}`, text: `Text ${weird}` };
    if (field === 'to') payload.to = `${weird}${to}`;
    if (field === 'subject' || field === 'text') payload[field] = `${weird} in ${field} ${weird}`;
    const id = field === 'id' ? `id-${weird}-${randomUUID()}` : `unicode-${randomUUID()}`;
    // Half the odd IDs come with an invalid payload, so they take the DLQ path with the ID on the copy.
    if (field === 'id' && to.startsWith('a')) payload.to = 'not an address';
    if (field === 'jobIdAttribute')
      return {
        kind: 'unicode in the jobId attribute',
        body: JSON.stringify(payload),
        attributes: { jobId: `attr-${weird}-${randomUUID()}` },
      };
    return { kind: `unicode in ${field}`, body: withId(JSON.stringify(payload), id) };
  });

export const nesting: fc.Arbitrary<HostileCase> = fc
  .record({
    levels: fc.constantFrom(100, 1_000, 10_000),
    shape: fc.constantFrom('array payload', 'object payload', 'in a field', 'enveloped'),
  })
  .map(({ levels, shape }) => {
    const bodies: Record<string, string> = {
      'array payload': deep(levels),
      'object payload': deepObject(levels),
      'in a field': `{"to":"a@example.com","subject":"s","text":"t","extra":${deep(levels)}}`,
      enveloped: withId(`{"to":"a@example.com","subject":${deepObject(levels)},"text":"t"}`, `deep-${randomUUID()}`),
    };
    return { kind: `nesting ${levels} (${shape})`, body: bodies[shape]! };
  });

export const MIB = 1_048_576;
export const huge: fc.Arbitrary<HostileCase> = fc.constantFrom('text', 'subject', 'raw').map((where) => {
  const filler = 'x'.repeat(MIB - 200);
  const bodies: Record<string, string> = {
    text: withId(JSON.stringify({ to: 'a@example.com', subject: 's', text: filler }), `huge-${randomUUID()}`),
    subject: JSON.stringify({ to: 'a@example.com', subject: filler, text: 't' }),
    raw: filler,
  };
  return { kind: `~1 MiB body (${where})`, body: bodies[where]! };
});

/** Valid e-mails with odd but legal content: these must succeed, once each. */
export const validOdd: fc.Arbitrary<HostileCase> = fc
  .record({
    to: address,
    subject: fc.string({ minLength: 1, maxLength: 60 }).filter((s) => !/[\r\n]/.test(s) && !/\p{Cs}/u.test(s)),
    text: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 200 }),
  })
  .map((payload) => ({ kind: 'valid', body: withId(JSON.stringify(payload), `valid-odd-${randomUUID()}`) }));

export const sqsCarries = (c: HostileCase): boolean =>
  c.body.length > 0 &&
  SQS_CHARACTERS.test(c.body) &&
  Object.values(c.attributes ?? {}).every((v) => SQS_CHARACTERS.test(v));

export const hostile: fc.Arbitrary<HostileCase> = fc
  .oneof(
    { arbitrary: nonJson, weight: 4 },
    { arbitrary: wrongTypes, weight: 4 },
    { arbitrary: topLevelOdd, weight: 2 },
    { arbitrary: headerInjection, weight: 4 },
    { arbitrary: pollution, weight: 3 },
    { arbitrary: unicode, weight: 4 },
    { arbitrary: nesting, weight: 1 },
    { arbitrary: validOdd, weight: 1 },
  )
  .filter(sqsCarries);
