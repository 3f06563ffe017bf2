import { z } from 'zod';
import type { RunStatus } from '@serverless-jobs/runtime/runtime';
import type { RunView } from '@serverless-jobs/cli/ops';
import { BadRequestError } from './errors.ts';
import type { DashboardOps } from './types.ts';

/** The ops core's one read the pages need: a job's runs, newest first, up to a limit. */
export type RunsSource = Pick<DashboardOps, 'runs'>;

/** One page of runs, newest first, and the cursor of the page after it (undefined on the last page). */
export interface RunsPage {
  readonly runs: readonly RunView[];
  readonly next?: string;
}

export interface RunsPageQuery {
  readonly jobs: readonly string[];
  readonly statuses?: readonly RunStatus[];
  readonly limit: number;
  /** From the previous page's `next`; undefined for the newest runs. */
  readonly cursor?: string;
}

/** Where a page ended: the last run shown, and how many runs were shown before it (to size the next read). */
interface Position {
  readonly createdAt: string;
  readonly job: string;
  readonly id: string;
  readonly shown: number;
}

/** The most runs of a job the first read of a later page asks for; further reads double it. */
const MAX_FIRST_READ = 10_000;
const position = z.tuple([z.string(), z.string(), z.string(), z.number().int().min(0)]);

/**
 * Newest first; runs created in the same millisecond are told apart by job and ID, so the order is total and a
 * cursor falls between two runs, never among equals.
 */
function compare(a: Pick<RunView, 'createdAt' | 'job' | 'id'>, b: Pick<RunView, 'createdAt' | 'job' | 'id'>): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? 1 : -1;
  if (a.job !== b.job) return a.job < b.job ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function encodeCursor(at: Position): string {
  return Buffer.from(JSON.stringify([at.createdAt, at.job, at.id, at.shown])).toString('base64url');
}

function decodeCursor(cursor: string): Position {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const checked = position.safeParse(parsed);
  if (!checked.success)
    throw new BadRequestError(`runs: field "cursor" is not one this API gave (given ${JSON.stringify(cursor)})`);
  const [createdAt, job, id, shown] = checked.data;
  return { createdAt, job, id, shown };
}

/**
 * The first `count` runs of one job after `after`, in page order. The ops core reads a job's runs from the
 * newest, with no start key, so the read grows until it holds them: a run it left out can only be as old as
 * the oldest it read, so those newer than that are settled.
 */
async function jobRunsAfter(
  ops: RunsSource,
  job: string,
  statuses: readonly RunStatus[] | undefined,
  after: Position | undefined,
  count: number,
): Promise<RunView[]> {
  // The hint only sizes the first read; a cursor is the client's to send, so an absurd one must not size it.
  let limit = Math.min(after?.shown ?? 0, MAX_FIRST_READ) + count + 1;
  for (;;) {
    const read = await ops.runs(job, { statuses, limit });
    const past = after === undefined ? read : read.filter((run) => compare(run, after) > 0);
    if (read.length < limit) return past;
    const oldest = read.at(-1)!.createdAt;
    const settled = past.filter((run) => run.createdAt > oldest);
    if (settled.length >= count) return settled;
    limit *= 2;
  }
}

/**
 * A page of the runs of `jobs`, merged newest first. The cursor names the last run shown rather than an offset,
 * so a page keeps its runs while new ones arrive at the top.
 */
export async function runsPage(ops: RunsSource, query: RunsPageQuery): Promise<RunsPage> {
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  // One more than the page holds tells whether a next page exists.
  const count = query.limit + 1;
  const lists = await Promise.all(query.jobs.map((job) => jobRunsAfter(ops, job, query.statuses, after, count)));
  const merged = lists.flat().sort(compare).slice(0, count);
  const runs = merged.slice(0, query.limit);
  const last = runs.at(-1);
  if (merged.length <= query.limit || last === undefined) return { runs };
  const shown = (after?.shown ?? 0) + runs.length;
  return { runs, next: encodeCursor({ createdAt: last.createdAt, job: last.job, id: last.id, shown }) };
}
