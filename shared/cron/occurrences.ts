// TEMPORARY shim (replaced by the helper's evaluator at merge): no DST notes.
import { nextOccurrences } from '#shared/cron/schedule-expression';

export type DstNote = 'gap-skipped' | 'gap-shifted' | 'repeated-once';
export interface Occurrence {
  readonly at: Date;
  readonly local: string;
  readonly dst?: DstNote;
}
export interface ScheduleSpec {
  readonly expression: string;
  readonly timeZone: string;
  readonly dstGap?: 'skip' | 'shift';
  readonly anchor?: Date;
}
export function occurrencesBetween(spec: ScheduleSpec, after: Date, until: Date, limit = 10_000): Occurrence[] {
  const out: Occurrence[] = [];
  let cursor = after;
  while (out.length < limit) {
    const [next] = nextOccurrences(spec.expression, spec.timeZone, cursor, 1, spec.anchor);
    if (!next || next.getTime() > until.getTime()) break;
    out.push({ at: next, local: next.toISOString().slice(0, 16) });
    cursor = next;
  }
  return out;
}
export function nextFiring(spec: ScheduleSpec, after: Date, count: number): Occurrence[] {
  return nextOccurrences(spec.expression, spec.timeZone, after, count, spec.anchor).map((at) => ({ at, local: at.toISOString().slice(0, 16) }));
}
