import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { S } from './attribute-values.ts';
import { runPartition, SINGLETON_SK } from '../contracts/ledger-table.ts';
import type { RunKey } from '../runtime/run-ledger.ts';

/** The key of a run: partition `<job>#<shard>`, sort key the job ID (see ledgerTable). */
export const runKey = (key: RunKey): Record<string, AttributeValue> => ({
  pk: S(runPartition(key.job, key.id)),
  sk: S(key.id),
});

/** A run's identity as one string: two grouped writes of the same run never share a request. */
export const runIdentity = (key: RunKey): string => `${key.job}\n${key.id}`;

/** The key of an item alone in its partition: a schedule's lease or the watchdog's state of a schedule. */
export const singletonKey = (pk: string): Record<string, AttributeValue> => ({ pk: S(pk), sk: S(SINGLETON_SK) });
