import type { PolicyStatement } from './role-policies.ts';
import { KNOWN_CONDITION_KEYS } from './condition-keys.ts';

/** Lower case, as IAM's keys are case-insensitive. Taking an unknown key as absent would let ForAllValues hold. */
const KNOWN_KEYS = new Set<string>(KNOWN_CONDITION_KEYS.map((key) => key.toLowerCase()));

/**
 * One action a call needs. It is allowed on any one of `resources`: more than one only where AWS checks one of
 * several (SES checks the verified identity, the address or its domain).
 */
export interface AccessRequest {
  readonly action: string;
  readonly resources: readonly string[];
  /** Condition keys and their values (`ses:FromAddress`); a key absent here is absent from the request. */
  readonly context: Readonly<Record<string, readonly string[]>>;
}

export type Refusal = {
  readonly allowed: false;
  readonly why: 'no-allow' | 'explicit-deny' | 'unsupported-condition';
  readonly detail: string;
  /** The resource the refusal is about (the first alternative, unless another explains more). */
  readonly resource: string;
};
export type Decision = { readonly allowed: true; readonly by: PolicyStatement; readonly resource: string } | Refusal;

type Matcher = (value: string) => boolean;
/** Each pattern's matcher, made once: by case-sensitivity, then by pattern (no key built per call). */
const matchers = { exact: new Map<string, Matcher>(), ignoringCase: new Map<string, Matcher>() };

function matcherOf(pattern: string, ignoreCase: boolean): Matcher {
  if (!/[*?]/.test(pattern)) {
    // Most patterns name one action or one ARN: a comparison, not a regular expression.
    const lower = pattern.toLowerCase();
    return ignoreCase ? (value) => value.toLowerCase() === lower : (value) => value === pattern;
  }
  const body = pattern
    .replace(/[.+^${}()|[\]\\/]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  const regex = new RegExp(`^${body}$`, ignoreCase ? 'is' : 's');
  return (value) => regex.test(value);
}

/** IAM's wildcards: `*` any run of characters (`/` and `:` included), `?` any one character. */
function matches(pattern: string, value: string, ignoreCase: boolean): boolean {
  const made = ignoreCase ? matchers.ignoringCase : matchers.exact;
  let matcher = made.get(pattern);
  if (!matcher) {
    matcher = matcherOf(pattern, ignoreCase);
    made.set(pattern, matcher);
  }
  return matcher(value);
}

const STRING_OPERATORS: Readonly<Record<string, (value: string, pattern: string) => boolean>> = {
  StringEquals: (value, pattern) => value === pattern,
  StringEqualsIgnoreCase: (value, pattern) => value.toLowerCase() === pattern.toLowerCase(),
  StringLike: (value, pattern) => matches(pattern, value, false),
};
const NEGATIONS: Readonly<Record<string, string>> = {
  StringNotEquals: 'StringEquals',
  StringNotEqualsIgnoreCase: 'StringEqualsIgnoreCase',
  StringNotLike: 'StringLike',
};

/** Condition keys are case-insensitive in IAM. */
function valuesOf(context: AccessRequest['context'], key: string): readonly string[] {
  const lower = key.toLowerCase();
  return context[key] ?? Object.entries(context).find(([name]) => name.toLowerCase() === lower)?.[1] ?? [];
}

/**
 * Whether one key of a condition block holds; undefined for an operator or a key not evaluated here. A key absent
 * from the request fails, except with IfExists, under ForAllValues, and for a negated operator (StringNotEquals).
 */
function keyHolds(operator: string, key: string, wanted: readonly string[], context: AccessRequest['context']) {
  const [, set, name = '', ifExists] = /^(?:(ForAnyValue|ForAllValues):)?(.*?)(IfExists)?$/.exec(operator) ?? [];
  const negated = name in NEGATIONS;
  const compare = STRING_OPERATORS[NEGATIONS[name] ?? name];
  if (!compare || !KNOWN_KEYS.has(key.toLowerCase())) return undefined;
  const given = valuesOf(context, key);
  if (given.length === 0) return Boolean(ifExists) || set === 'ForAllValues' || (negated && !set);
  const holdsFor = (value: string) => wanted.some((pattern) => compare(value, pattern)) !== negated;
  if (set === 'ForAllValues' || (negated && !set)) return given.every(holdsFor);
  return given.some(holdsFor);
}

type Outcome = { readonly kind: 'holds' } | { readonly kind: 'fails' | 'unsupported'; readonly detail: string };

/** A statement's Condition: every operator and every key in it (AND), any value of a key (OR). */
function conditionOutcome(statement: PolicyStatement, context: AccessRequest['context']): Outcome {
  const unsupported: string[] = [];
  for (const [operator, keys] of Object.entries(statement.conditions)) {
    for (const [key, wanted] of Object.entries(keys)) {
      const holds = keyHolds(operator, key, wanted, context);
      if (holds === undefined) unsupported.push(`${operator} on ${key}`);
      else if (!holds) {
        const given = valuesOf(context, key).join(', ') || 'no value';
        return { kind: 'fails', detail: `${key} ${operator} ${wanted.join(' or ')} (given ${given})` };
      }
    }
  }
  return unsupported.length > 0 ? { kind: 'unsupported', detail: unsupported.join(', ') } : { kind: 'holds' };
}

function appliesTo(statement: PolicyStatement, action: string, resource: string): boolean {
  const { actions, notActions, resources, notResources } = statement;
  const actionMatches = actions
    ? actions.some((pattern) => matches(pattern, action, true))
    : notActions !== undefined && !notActions.some((pattern) => matches(pattern, action, true));
  const resourceMatches = resources
    ? resources.some((pattern) => matches(pattern, resource, false))
    : notResources !== undefined && !notResources.some((pattern) => matches(pattern, resource, false));
  return actionMatches && resourceMatches;
}

/** Refusals that explain more come first when a request has alternatives. */
const RANK: Readonly<Record<Refusal['why'], number>> = {
  'explicit-deny': 0,
  'unsupported-condition': 1,
  'no-allow': 2,
};

function decide(statements: readonly PolicyStatement[], request: AccessRequest, resource: string): Decision {
  const { action, context } = request;
  const on = `${action} on ${resource}`;
  let unsupportedDeny: Refusal | undefined;
  let allow: PolicyStatement | undefined;
  let unsupportedAllow: Refusal | undefined;
  let failedAllow: Refusal | undefined;
  for (const statement of statements) {
    if (!appliesTo(statement, action, resource)) continue;
    const outcome = conditionOutcome(statement, context);
    const verb = statement.effect === 'Deny' ? 'denies' : 'allows';
    if (outcome.kind === 'holds' && statement.effect === 'Deny')
      return { allowed: false, why: 'explicit-deny', detail: `${statement.source} denies ${on}`, resource };
    if (outcome.kind === 'holds') allow ??= statement;
    else if (outcome.kind === 'fails' && statement.effect === 'Allow')
      failedAllow ??= {
        allowed: false,
        why: 'no-allow',
        detail: `${statement.source} allows ${on} only when ${outcome.detail}`,
        resource,
      };
    else if (outcome.kind === 'unsupported') {
      const detail = `${statement.source} ${verb} ${on} under a condition not evaluated locally: ${outcome.detail}`;
      const refusal: Refusal = { allowed: false, why: 'unsupported-condition', detail, resource };
      if (statement.effect === 'Deny') unsupportedDeny ??= refusal;
      else unsupportedAllow ??= refusal;
    }
  }
  // A Deny that might apply cannot be ruled out; an Allow that might apply counts only when no other does.
  if (unsupportedDeny) return unsupportedDeny;
  if (allow) return { allowed: true, by: allow, resource };
  return (
    unsupportedAllow ??
    failedAllow ?? { allowed: false, why: 'no-allow', detail: `no statement allows ${on}`, resource: resource }
  );
}

/**
 * IAM's decision for identity policies: denied by default; an explicit Deny that applies wins over any Allow.
 * A statement that would apply but has a condition operator not evaluated here (Bool, Numeric*, IpAddress, Arn*,
 * Date*) makes the answer 'unsupported-condition', unless it is an Allow and another Allow applies outright.
 * Allowed when any one of the request's resources is.
 */
export function evaluate(statements: readonly PolicyStatement[], request: AccessRequest): Decision {
  const refusals: Refusal[] = [];
  for (const resource of request.resources) {
    const decision = decide(statements, request, resource);
    if (decision.allowed) return decision;
    refusals.push(decision);
  }
  const [first] = refusals;
  if (!first) return { allowed: false, why: 'no-allow', detail: `${request.action} names no resource`, resource: '' };
  const plain = (refusal: Refusal) => refusal.why === 'no-allow' && refusal.detail.startsWith('no statement');
  if (refusals.every(plain))
    return { ...first, detail: `no statement allows ${request.action} on ${request.resources.join(' or ')}` };
  const rank = (refusal: Refusal) => RANK[refusal.why] * 2 + (plain(refusal) ? 1 : 0);
  return refusals.reduce((best, refusal) => (rank(refusal) < rank(best) ? refusal : best));
}

/** The first of a call's requests (all of which it needs) that is refused, with why; undefined when all are allowed. */
export function firstRefusal(
  statements: readonly PolicyStatement[],
  requests: readonly AccessRequest[],
): { readonly request: AccessRequest; readonly refusal: Refusal } | undefined {
  for (const request of requests) {
    const decision = evaluate(statements, request);
    if (!decision.allowed) return { request, refusal: decision };
  }
  return undefined;
}
