import type { PayloadOf, SettingsOf } from '@serverless-jobs/runtime/jobs';
import type { cleanupJob } from '#shared/jobs/cleanup';
import {
  advanceCursor,
  CleanupPhase,
  type CleanupCursor,
  initialCursor,
  restoreCursor,
} from '#shared/cleanup/cleanup-cursor';
import type { CleanupStore, ExpiredItems } from '#shared/cleanup/cleanup-store';
import type { JobContext } from '@serverless-jobs/runtime/runtime';

export type CleanupPayload = PayloadOf<typeof cleanupJob>;
export type CleanupSettings = SettingsOf<typeof cleanupJob>;

export interface CleanupOptions {
  /** Below this many milliseconds left, the run hands over to a continuation. @default 20000 */
  readonly marginMs?: number;
  /** Pages between two checkpoints; each checkpoint is a ledger write. @default 10 */
  readonly checkpointEveryPages?: number;
}

export type CleanupOutcome =
  | { readonly status: 'done'; readonly cursor: CleanupCursor }
  | { readonly status: 'continued'; readonly cursor: CleanupCursor };

/**
 * Deletes audit entries and soft-deleted customers past retention, one shard and one page at a time,
 * so memory stays flat however large the tables are. Long runs hand over to a continuation.
 */
export async function runCleanup(
  payload: CleanupPayload,
  ctx: JobContext<CleanupSettings>,
  store: CleanupStore,
  options: CleanupOptions = {},
): Promise<CleanupOutcome> {
  const marginMs = options.marginMs ?? 20_000;
  const checkpointEvery = options.checkpointEveryPages ?? 10;
  const { settings } = ctx;
  let cursor =
    restoreCursor(ctx.checkpointed, ctx.resume) ??
    // A scheduled run counts its ages from its occurrence, so a late or caught-up run deletes what it would have.
    initialCursor(ctx.occurrence ? new Date(ctx.occurrence.time) : ctx.now(), {
      audit: payload.auditRetentionDays ?? settings.auditRetentionDays,
      customers: payload.customerRetentionDays ?? settings.customerRetentionDays,
    });
  let pages = 0;
  while (cursor.phase !== CleanupPhase.DONE) {
    // At least one page per invocation, so a timeout shorter than the margin cannot hand over forever.
    if (pages > 0 && ctx.remainingMs() < marginMs) {
      await ctx.continueLater(cursor);
      ctx.logger.info('Cleanup continues in a new run', { cursor });
      return { status: 'continued', cursor };
    }
    const items: ExpiredItems = cursor.phase === CleanupPhase.AUDIT ? store.auditLog : store.customers;
    const shard = String(cursor.shard);
    const cutoff = cursor.phase === CleanupPhase.AUDIT ? cursor.cutoffs.audit : cursor.cutoffs.customers;
    const page = await items.page({ shard, cutoff, limit: settings.pageSize, startKey: cursor.lastKey });
    if (page.ids.length > 0) await items.delete(shard, page.ids);
    cursor = advanceCursor(cursor, page.ids.length, page.lastKey, settings.shards);
    pages += 1;
    if (pages % checkpointEvery === 0 && cursor.phase !== CleanupPhase.DONE) await ctx.checkpoint(cursor);
  }
  ctx.logger.info('Cleanup finished', { deleted: cursor.deleted, cutoffs: cursor.cutoffs });
  return { status: 'done', cursor };
}
