import { describe, expect, it } from 'vitest';
import type { RunsQuery, RunView } from '@serverless-jobs/cli/ops';
import { BadRequestError, runsPage, type RunsSource } from '@serverless-jobs/local/dashboard';
import type { RunStatus } from '@serverless-jobs/runtime/runtime';

const START = Date.parse('2026-12-05T03:00:00Z');

const run = (job: string, n: number, atMs: number, status: RunStatus = 'SUCCEEDED'): RunView => ({
  job,
  id: `${job}-${String(n).padStart(3, '0')}`,
  status,
  attempt: 1,
  createdAt: new Date(atMs).toISOString(),
});

/**
 * The ledger as the ops core reads it: a job's runs newest first, filtered, up to the limit. Runs created in the
 * same millisecond come in the order they were added, reversed, as an index gives equal keys in no set order.
 */
function ledger(runs: RunView[]): RunsSource & { reads: number } {
  const source = {
    reads: 0,
    async runs(job: string, query: RunsQuery = {}): Promise<RunView[]> {
      source.reads++;
      const own = runs.filter((r) => r.job === job && (!query.statuses || query.statuses.includes(r.status)));
      return own
        .reverse()
        .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
        .slice(0, query.limit ?? 20);
    },
  };
  return source;
}

async function everyPage(source: RunsSource, jobs: string[], limit: number): Promise<RunView[][]> {
  const pages: RunView[][] = [];
  let cursor: string | undefined;
  do {
    const page = await runsPage(source, { jobs, limit, cursor });
    pages.push([...page.runs]);
    cursor = page.next;
  } while (cursor !== undefined);
  return pages;
}

describe('runsPage', () => {
  // 3 jobs, 55 runs; every fifth millisecond holds runs of two jobs, and one holds 12 runs of one job.
  const runs = [
    ...Array.from({ length: 25 }, (_, i) => run('a', i, START + i * 1000)),
    ...Array.from({ length: 18 }, (_, i) => run('b', i, START + i * 5000)),
    ...Array.from({ length: 12 }, (_, i) => run('c', i, START + 7000)),
  ];

  it('lists every run once, newest first, in pages of the limit; the last page has no cursor', async () => {
    const pages = await everyPage(ledger(runs), ['a', 'b', 'c'], 20);
    expect(pages.map((page) => page.length)).toEqual([20, 20, 15]);
    const listed = pages.flat();
    expect(new Set(listed.map((r) => r.id)).size).toBe(55);
    const times = listed.map((r) => Date.parse(r.createdAt));
    expect(times).toEqual([...times].sort((x, y) => y - x));
  });

  it('reads on past a millisecond that holds more runs than a page, so none of them is skipped', async () => {
    const burst = Array.from({ length: 30 }, (_, i) => run('c', i, START));
    const pages = await everyPage(ledger(burst), ['c'], 20);
    expect(pages.flat().map((r) => r.id)).toEqual(burst.map((r) => r.id));
  });

  it('keeps a page as it was while new runs arrive at the top', async () => {
    const live = [...runs];
    const source = ledger(live);
    const first = await runsPage(source, { jobs: ['a', 'b', 'c'], limit: 20 });
    const second = await runsPage(source, { jobs: ['a', 'b', 'c'], limit: 20, cursor: first.next });
    live.push(...Array.from({ length: 7 }, (_, i) => run('a', 100 + i, START + 3_600_000 + i)));
    const again = await runsPage(source, { jobs: ['a', 'b', 'c'], limit: 20, cursor: first.next });
    expect(again.runs.map((r) => r.id)).toEqual(second.runs.map((r) => r.id));
    expect(second.runs.map((r) => r.id)).not.toContain(first.runs.at(-1)!.id);
  });

  it('reads each job once for a later page when no run arrived since the one before', async () => {
    const source = ledger(runs);
    const first = await runsPage(source, { jobs: ['a', 'b', 'c'], limit: 20 });
    source.reads = 0;
    await runsPage(source, { jobs: ['a', 'b', 'c'], limit: 20, cursor: first.next });
    expect(source.reads).toBe(3);
  });

  it('pages a status filter, and has no cursor when everything fits', async () => {
    const mixed = [...runs, run('b', 50, START + 500, 'DEAD'), run('c', 51, START + 600, 'DEAD')];
    const page = await runsPage(ledger(mixed), { jobs: ['a', 'b', 'c'], statuses: ['DEAD'], limit: 20 });
    expect(page.runs.map((r) => r.id)).toEqual(['c-051', 'b-050']);
    expect(page.next).toBeUndefined();
  });

  it('refuses a cursor it did not give, naming the field and quoting the value', async () => {
    const page = runsPage(ledger(runs), { jobs: ['a'], limit: 20, cursor: 'page-2' });
    await expect(page).rejects.toThrow(BadRequestError);
    await expect(page).rejects.toThrow('runs: field "cursor" is not one this API gave (given "page-2")');
  });
});
