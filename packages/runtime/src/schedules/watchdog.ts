import { type Occurrence, occurrencesBetween, type ScheduleSpec } from '../cron/occurrences.ts';
import { parseScheduleSyntax } from '../cron/schedule-syntax.ts';
import { occurrenceJobId } from '../contracts/envelope.ts';
import { DAY_MS } from '../runtime/runtime-deps.ts';
import { enqueueOccurrence, type OccurrenceSender } from './enqueue-occurrence.ts';
import {
  occurrenceTime,
  type OccurrenceRecord,
  type ScheduleWatchState,
  type WatchReport,
} from './occurrence-ledger.ts';
import { catchUpWindowMs, lateAfterMs, type WatchedSchedule } from './watched-schedule.ts';

export interface WatchdogOptions {
  /** The time of this check (the watchdog's own occurrence time, so the local runner's virtual clock works). */
  readonly now: number;
  /** An occurrence with no run this long after its time is missed; EventBridge and SQS had their chance. */
  readonly missedAfterMs: number;
}

/** The longest span one check looks back; a watchdog that was down longer reports only this much. */
export const MAX_CHECK_SPAN_MS = 7 * DAY_MS;

export interface WatchOutcome {
  readonly report: WatchReport;
  /** False when another check of the same span won the race: its figures, not these, are the published ones. */
  readonly stored: boolean;
  /**
   * Occurrences whose catch-up send failed, each with its error. The check is stored all the same: they have no
   * run, so the next check inside the catch-up window owes them again.
   */
  readonly sendFailures: readonly string[];
}

const isPaused = (state: ScheduleWatchState, at: number): boolean =>
  (state.pausedSince !== undefined && at >= state.pausedSince) ||
  state.pauses.some((w) => at >= w.from && at <= (w.to ?? Infinity));

/**
 * One check of one schedule: the occurrences due since the last check, compared
 * with the ledger. Missed (no run), late (arrived beyond `lateAfter`), duplicated (delivered more than once),
 * skipped by a DST gap, or paused. Then the catch-up policy enqueues missed ones inside its window, once the
 * schedule runs again, and `dstGap: 'shift'` enqueues a gap occurrence at the end of the gap; each at most once.
 */
export async function watchSchedule(
  s: WatchedSchedule,
  sender: OccurrenceSender,
  options: WatchdogOptions,
): Promise<WatchOutcome> {
  const { ledger } = sender;
  const { now } = options;
  const state = await ledger.state(s.job, s.schedule);
  const until = now - options.missedAfterMs;
  const from = Math.max(state.checkedUntil ?? until, until - MAX_CHECK_SPAN_MS);
  const since = state.watchedSince ?? now;
  s = await scheduleInForce(s, state, sender, until);
  const spec = await specOf(s, sender);

  const between = (after: number, to: number): Occurrence[] =>
    spec && to > after ? occurrencesBetween(spec, new Date(after), new Date(to)) : [];
  const checked = between(from, until);
  const catchUp =
    s.catchUp.mode !== 'none' && state.pausedSince === undefined
      ? between(Math.max(now - catchUpWindowMs(s), since), until)
      : [];
  const shifted =
    s.dstGap === 'shift' ? between(Math.max(now - DAY_MS, since), now).filter((o) => o.dst === 'gap-shifted') : [];
  const id = (o: Occurrence): string => occurrenceJobId(s.schedule, occurrenceTime(o.at.getTime()));
  const ids = [...new Set([...checked, ...catchUp, ...shifted].filter((o) => o.dst !== 'gap-skipped').map(id))];
  const records = ids.length > 0 ? await ledger.records(s.job, ids) : new Map<string, OccurrenceRecord>();

  const figures = classify(s, state, checked, records, id);
  const enqueued: string[] = [];
  const superseded: string[] = [];
  const sendFailures: string[] = [];
  const enqueue = async (o: Occurrence, reason: string): Promise<void> => {
    try {
      if (await enqueueOccurrence(sender, s, occurrenceTime(o.at.getTime()), reason, now)) enqueued.push(id(o));
    } catch (error) {
      sendFailures.push(error instanceof Error ? error.message : String(error));
    }
  };
  for (const o of shifted) {
    if (!records.has(id(o)))
      await enqueue(o, `dstGap shift: local ${o.local} does not exist in ${s.timeZone}; runs at the end of the gap`);
  }
  const passedOver = new Set(state.superseded);
  const owed = catchUp.filter(
    (o) => o.dst !== 'gap-skipped' && o.dst !== 'gap-shifted' && !records.has(id(o)) && !passedOver.has(id(o)),
  );
  const toRun = s.catchUp.mode === 'latest' ? owed.slice(-1) : owed;
  for (const o of toRun)
    await enqueue(o, `catch-up ${s.catchUp.mode} (window ${s.catchUp.window}): no run by ${occurrenceTime(until)}`);
  // Passed over, not SKIPPED: a message that was only late (a backed-up queue) still runs when it comes.
  if (s.catchUp.mode === 'latest') superseded.push(...owed.slice(0, -1).map(id));
  const report: WatchReport = { at: now, from, until, ...figures, enqueued, superseded };
  return { report, stored: await ledger.advance(s.job, s.schedule, state.checkedUntil, report), sendFailures };
}

/**
 * The schedule as it runs: a `jobs schedule` change recorded in the ledger, while the deployed declaration is
 * still the one it replaced and no run of the declared occurrences since the change says that a deploy put the
 * declared schedule back. Otherwise the declaration, and a stale change is cleared.
 */
async function scheduleInForce(
  s: WatchedSchedule,
  state: ScheduleWatchState,
  sender: OccurrenceSender,
  until: number,
): Promise<WatchedSchedule> {
  const live = state.live;
  if (!live) return s;
  const changed: WatchedSchedule = { ...s, expression: live.expression, timeZone: live.timeZone };
  if (live.replaces.expression === s.expression && live.replaces.timeZone === s.timeZone) {
    const crons = [s, changed].every((x) => parseScheduleSyntax(x.expression).kind === 'cron');
    if (!crons || until <= live.since) return changed;
    const times = (x: WatchedSchedule): string[] =>
      occurrencesBetween({ expression: x.expression, timeZone: x.timeZone }, new Date(live.since), new Date(until))
        .filter((o) => o.dst !== 'gap-skipped')
        .map((o) => occurrenceTime(o.at.getTime()));
    const ofChange = new Set(times(changed));
    const onlyDeclared = times(s)
      .filter((time) => !ofChange.has(time))
      .map((time) => occurrenceJobId(s.schedule, time));
    if (onlyDeclared.length === 0 || (await sender.ledger.records(s.job, onlyDeclared)).size === 0) return changed;
  }
  await sender.ledger.recordChange(s.job, s.schedule, undefined);
  return s;
}

/**
 * A cron as declared; a rate anchored at its newest occurrence in the ledger (AWS anchors it at
 * creation, unknown here).
 */
async function specOf(s: WatchedSchedule, sender: OccurrenceSender): Promise<ScheduleSpec | undefined> {
  const spec: ScheduleSpec = { expression: s.expression, timeZone: s.timeZone, dstGap: s.dstGap };
  if (parseScheduleSyntax(s.expression).kind !== 'rate') return spec;
  const anchor = await sender.ledger.latestOccurrence(s.job, s.schedule);
  return anchor === undefined ? undefined : { ...spec, anchor: new Date(anchor) };
}

function classify(
  s: WatchedSchedule,
  state: ScheduleWatchState,
  checked: readonly Occurrence[],
  records: ReadonlyMap<string, OccurrenceRecord>,
  id: (o: Occurrence) => string,
): Pick<WatchReport, 'expected' | 'missed' | 'late' | 'duplicates' | 'duplicated' | 'dstSkipped' | 'paused'> {
  const missed: string[] = [];
  const late: string[] = [];
  const duplicated: string[] = [];
  const dstSkipped: string[] = [];
  let paused = 0;
  let duplicates = 0;
  let expected = 0;
  for (const o of checked) {
    if (o.dst === 'gap-skipped') {
      dstSkipped.push(id(o));
      continue;
    }
    if (isPaused(state, o.at.getTime())) {
      paused++;
      continue;
    }
    expected++;
    const record = records.get(id(o));
    if (!record) {
      missed.push(id(o));
      continue;
    }
    if (record.enqueuedAt !== undefined && record.enqueuedAt - o.at.getTime() > lateAfterMs(s)) late.push(id(o));
    if (record.duplicates > 0) {
      duplicates += record.duplicates;
      duplicated.push(id(o));
    }
  }
  return { expected, missed, late, duplicates, duplicated, dstSkipped, paused };
}
