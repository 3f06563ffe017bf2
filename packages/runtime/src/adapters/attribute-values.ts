import type { AttributeValue } from '@aws-sdk/client-dynamodb';

/** Tiny typed helpers for DynamoDB attribute values; the items here are flat, so no marshaller is needed. */
export const S = (value: string): AttributeValue => ({ S: value });
export const N = (value: number): AttributeValue => ({ N: String(value) });

/** An epoch-millisecond time as the ledger stores it: ISO 8601, UTC. */
export const iso = (millis: number): string => new Date(millis).toISOString();

/** An epoch-millisecond time as DynamoDB's TTL reads it: whole epoch seconds. */
export const ttlSeconds = (millis: number): number => Math.floor(millis / 1000);

export function str(item: Record<string, AttributeValue> | undefined, name: string): string | undefined {
  const value = item?.[name];
  return value && 'S' in value ? value.S : undefined;
}

export function num(item: Record<string, AttributeValue> | undefined, name: string): number | undefined {
  const value = item?.[name];
  return value && 'N' in value && value.N !== undefined ? Number(value.N) : undefined;
}

/** `#name` placeholders for every attribute an expression names, so reserved words never bite. */
export function names(...attributes: string[]): Record<string, string> {
  return Object.fromEntries(attributes.map((attribute) => [`#${attribute}`, attribute]));
}

export function isConditionFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}
