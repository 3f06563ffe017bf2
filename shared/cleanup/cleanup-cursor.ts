import * as z from '@serverless-jobs/runtime/zod';
import { PermanentJobError } from '@serverless-jobs/runtime/runtime';
import { describeIssues } from '@serverless-jobs/runtime/runtime';

export const CleanupPhase = { AUDIT: 'audit', CUSTOMERS: 'customers', DONE: 'done' } as const;

/**
 * Where a cleanup run stands. The cutoffs travel with it, so a continuation or a retry hours later
 * deletes exactly what the first invocation meant to, not what has aged since.
 */
export const cleanupCursorSchema = z.object({
  phase: z.enum([CleanupPhase.AUDIT, CleanupPhase.CUSTOMERS, CleanupPhase.DONE]),
  shard: z.number().check(z.int(), z.minimum(0)),
  lastKey: z.optional(z.record(z.string(), z.string())),
  cutoffs: z.object({ audit: z.iso.datetime(), customers: z.iso.datetime() }),
  deleted: z.object({
    audit: z.number().check(z.int(), z.minimum(0)),
    customers: z.number().check(z.int(), z.minimum(0)),
  }),
});

export type CleanupCursor = z.infer<typeof cleanupCursorSchema>;

const DAY_MS = 86_400_000;

export interface RetentionDays {
  readonly audit: number;
  readonly customers: number;
}

export function initialCursor(now: Date, retention: RetentionDays): CleanupCursor {
  const cutoff = (days: number): string => new Date(now.getTime() - days * DAY_MS).toISOString();
  return {
    phase: CleanupPhase.AUDIT,
    shard: 0,
    cutoffs: { audit: cutoff(retention.audit), customers: cutoff(retention.customers) },
    deleted: { audit: 0, customers: 0 },
  };
}

/**
 * The state to resume from: a checkpoint of this run is newer than the state it was continued with,
 * so it wins. State that does not parse is a bug upstream; starting over would silently move the cutoffs.
 */
export function restoreCursor(checkpointed: unknown, resume: unknown): CleanupCursor | undefined {
  const saved = checkpointed ?? resume;
  if (saved === undefined || saved === null) return undefined;
  const parsed = z.safeParse(cleanupCursorSchema, saved);
  if (!parsed.success) {
    // A retry would read the same state again, so this is permanent.
    throw new PermanentJobError(`Cleanup cannot resume: ${describeIssues(parsed.error.issues, saved)}`);
  }
  return parsed.data;
}

/** The cursor after one page of `count` deletions in a phase with `shards` shards. */
export function advanceCursor(
  cursor: CleanupCursor,
  count: number,
  lastKey: Readonly<Record<string, string>> | undefined,
  shards: number,
): CleanupCursor {
  const deleted =
    cursor.phase === CleanupPhase.AUDIT
      ? { ...cursor.deleted, audit: cursor.deleted.audit + count }
      : { ...cursor.deleted, customers: cursor.deleted.customers + count };
  if (lastKey) return { ...cursor, deleted, lastKey: { ...lastKey } };
  if (cursor.shard + 1 < shards) return { ...cursor, deleted, shard: cursor.shard + 1, lastKey: undefined };
  const phase = cursor.phase === CleanupPhase.AUDIT ? CleanupPhase.CUSTOMERS : CleanupPhase.DONE;
  return { ...cursor, deleted, phase, shard: 0, lastKey: undefined };
}
