import { createHash } from 'node:crypto';
import type * as z from '../runtime/zod-mini.ts';

type JobSchema = z.core.$ZodType;

/**
 * Per-key fairness: the payload field that names whose work a message is (a customer, a tenant). Every producer
 * reads it and sends the message with that key as its MessageGroupId, on the job's standard queue: SQS fair queues
 * then keep one key's flood from starving the others. Pure data, so the CLI and other jobs need no code to send.
 */
export interface FairnessPolicy {
  /** A payload field, or a dotted path to one (`customer.id`), holding a string, number or boolean. */
  readonly key: string;
}

/** A key value that cannot be one: an object, an array. */
export class FairnessKeyError extends Error {
  override readonly name = 'FairnessKeyError';
}

const KEY_PATH = /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/;
/** What SQS takes as a MessageGroupId: 1-128 printable ASCII characters, space excluded. */
const GROUP_ID = /^[\x21-\x7e]{1,128}$/;

/** The value at `path` in `payload`, or undefined where a step is missing or not an object. */
function valueAt(payload: unknown, path: string): unknown {
  let value = payload;
  for (const step of path.split('.')) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[step];
  }
  return value;
}

/**
 * The key of a payload as text: its `policy.key` field's string, number or boolean. Undefined when the field is
 * missing, null or empty: such a message goes without a key (SQS treats it as no tenant's). Throws
 * FairnessKeyError, naming the field and the value, for an object or an array.
 */
export function fairnessKeyOf(policy: FairnessPolicy, payload: unknown): string | undefined {
  const value = valueAt(payload, policy.key);
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'string') return value;
  if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean') return String(value);
  const given = JSON.stringify(value) ?? String(value);
  throw new FairnessKeyError(
    `field "${policy.key}" (fairness.key) must hold a string, a number or a boolean (given ${given.slice(0, 80)})`,
  );
}

/**
 * The MessageGroupId of a key: the key itself where SQS takes it (1-128 printable ASCII characters), else
 * `sha256:` and its digest, so that two keys stay two groups whatever characters they hold.
 */
export function messageGroupIdOf(key: string): string {
  if (GROUP_ID.test(key)) return key;
  return `sha256:${createHash('sha256').update(key).digest('base64url')}`;
}

/** The MessageGroupId of a message of a job that declares `fairness`; undefined without a policy or a key. */
export function messageGroupOf(job: { readonly fairness?: FairnessPolicy }, payload: unknown): string | undefined {
  if (!job.fairness) return undefined;
  const key = fairnessKeyOf(job.fairness, payload);
  return key === undefined ? undefined : messageGroupIdOf(key);
}

interface SchemaDef {
  readonly type?: string;
  readonly shape?: Record<string, JobSchema>;
  readonly innerType?: JobSchema;
}

const defOf = (schema: JobSchema): SchemaDef => (schema as unknown as { _zod: { def: SchemaDef } })._zod.def;

/**
 * The first step of `path` that `schema` surely lacks: it walks object shapes (through optional, nullable and
 * default wrappers) and stops, finding nothing, at any other kind of schema (a union, a record, a pipe).
 */
function missingStep(schema: JobSchema, path: string): { step: string; fields: string[] } | undefined {
  let current = schema;
  for (const step of path.split('.')) {
    let def = defOf(current);
    while (def.innerType && ['optional', 'nullable', 'default', 'prefault', 'readonly'].includes(def.type ?? '')) {
      def = defOf(def.innerType);
    }
    if (def.type !== 'object' || !def.shape) return undefined;
    const next = def.shape[step];
    if (!next) return { step, fields: Object.keys(def.shape) };
    current = next;
  }
  return undefined;
}

/** Each problem of a fairness policy, as messages that name the field and the value given. */
export function fairnessErrors(job: string, policy: FairnessPolicy | undefined, payload: JobSchema): string[] {
  if (policy === undefined) return [];
  const key: unknown = policy.key;
  if (typeof key !== 'string' || !KEY_PATH.test(key)) {
    return [
      `${job}: fairness.key must name a payload field, or a dotted path to one such as customer.id ` +
        `(given ${JSON.stringify(key)})`,
    ];
  }
  const missing = missingStep(payload, key);
  if (!missing) return [];
  return [
    `${job}: fairness.key names field "${missing.step}", which the payload schema does not have ` +
      `(given "${key}"; its fields: ${missing.fields.join(', ') || 'none'})`,
  ];
}
