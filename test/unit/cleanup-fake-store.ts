import type { CleanupStore, ExpiredItems, ExpiredPage, ExpiredPageQuery } from '#shared/cleanup/cleanup-store';

interface Entry {
  readonly id: string;
  readonly time: string;
}

const order = (a: Entry, b: Entry): number => a.time.localeCompare(b.time) || a.id.localeCompare(b.id);

/** Sharded, time-ordered items in memory, paged the way DynamoDB pages a key range. */
export class InMemoryExpiredItems implements ExpiredItems {
  readonly shards = new Map<string, Entry[]>();
  readonly pageQueries: ExpiredPageQuery[] = [];
  readonly deleteCalls: string[][] = [];

  add(shard: string, id: string, time: string): void {
    this.shards.set(shard, [...(this.shards.get(shard) ?? []), { id, time }].sort(order));
  }

  ids(): string[] {
    return [...this.shards.values()]
      .flat()
      .map((entry) => entry.id)
      .sort();
  }

  async page(query: ExpiredPageQuery): Promise<ExpiredPage> {
    this.pageQueries.push(query);
    const start = query.startKey;
    const matching = (this.shards.get(query.shard) ?? [])
      .filter((entry) => entry.time < query.cutoff)
      .filter((entry) => !start || order(entry, { id: start.id ?? '', time: start.time ?? '' }) > 0);
    const page = matching.slice(0, query.limit);
    const last = page.at(-1);
    // Like DynamoDB, a full page carries a key even when nothing follows it.
    return {
      ids: page.map((entry) => entry.id),
      lastKey: page.length === query.limit && last ? { id: last.id, time: last.time } : undefined,
    };
  }

  async delete(shard: string, ids: readonly string[]): Promise<void> {
    this.deleteCalls.push([...ids]);
    this.shards.set(
      shard,
      (this.shards.get(shard) ?? []).filter((entry) => !ids.includes(entry.id)),
    );
  }
}

export class InMemoryCleanupStore implements CleanupStore {
  readonly auditLog = new InMemoryExpiredItems();
  readonly customers = new InMemoryExpiredItems();
}
