import { type CfnElement, Stack, Token } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** The logical ID a resolved `{ Ref }` or `{ "Fn::GetAtt": [id, attr] }` points at, if it is one. */
export function referencedLogicalId(resolved: unknown): string | undefined {
  if (resolved === null || typeof resolved !== 'object') return undefined;
  const record = resolved as Record<string, unknown>;
  if (typeof record.Ref === 'string') return record.Ref;
  const getAtt = record['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
  return undefined;
}

/** A CloudFormation element class, e.g. `sqs.CfnQueue`. */
type ElementClass<T extends CfnElement> = abstract new (...args: never[]) => T;

/** The element of `type` in the stack whose logical ID is `logicalId`. */
export function findByLogicalId<T extends CfnElement>(
  stack: Stack,
  logicalId: string,
  type: ElementClass<T>,
): T | undefined {
  for (const child of stack.node.findAll()) {
    if (child instanceof type && stack.resolve(child.logicalId) === logicalId) return child;
  }
  return undefined;
}

/** The element a property references, e.g. the CfnQueue behind an event source mapping's EventSourceArn. */
export function referencedElement<T extends CfnElement>(
  node: IConstruct,
  value: unknown,
  type: ElementClass<T>,
): T | undefined {
  const stack = Stack.of(node);
  const logicalId = referencedLogicalId(stack.resolve(value));
  return logicalId === undefined ? undefined : findByLogicalId(stack, logicalId, type);
}

/** A resolved number, or `fallback` when the property is unset (CloudFormation's default); undefined if unknowable. */
export function resolvedNumber(node: IConstruct, value: unknown, fallback: number): number | undefined {
  const resolved: unknown = Stack.of(node).resolve(value);
  if (resolved === undefined) return fallback;
  if (typeof resolved === 'number') return resolved;
  if (typeof resolved === 'string' && !Token.isUnresolved(resolved) && /^\d+$/.test(resolved)) return Number(resolved);
  return undefined;
}

/**
 * How a message names the job: the nearest scope that declares a `jobName` (a JobWorker), else the
 * construct path, so wiring made outside the job constructs is still found.
 */
export function jobLabel(node: IConstruct): string {
  for (const scope of [...node.node.scopes].reverse()) {
    const candidate: unknown = (scope as unknown as { readonly jobName?: unknown }).jobName;
    if (typeof candidate === 'string') return candidate;
  }
  return node.node.path;
}
