import { randomUUID } from 'node:crypto';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { occurrencesBetween } from '@serverless-jobs/runtime/cron';
import { scheduleIdentity, type ScheduleRunner, type ScheduleState } from '../runner/schedule-runner.ts';
import type { SavedSend } from '../runner/saved-state.ts';
import type { VirtualClock } from '../runner/virtual-clock.ts';
import { NotFoundError } from './errors.ts';
import type { PendingSend, ScheduleRow } from './types.ts';
import type { DeployedSchedule, ScheduleControl, ScheduleRef } from '@serverless-jobs/cli/ops';
import { dstFlag, UPCOMING_OCCURRENCES } from '@serverless-jobs/cli/ops';

export interface RunnerScheduleControlOptions {
  readonly runner: ScheduleRunner;
  readonly clock: VirtualClock;
  readonly client: SQSClient;
  /** The queue URL of a job; throws for a job the stack does not have. */
  readonly queueUrlOf: (job: string) => string;
  /** How many occurrences a row lists in `occurrences`. @default 5 */
  readonly upcoming?: number;
  /**
   * One-time sends a previous run left waiting, and where to keep the list whenever it changes, as
   * EventBridge Scheduler keeps a one-time schedule across anything but its own time. @default none
   */
  readonly sends?: { readonly saved: readonly SavedSend[]; readonly save: (sends: readonly SavedSend[]) => void };
}

/** Timers are capped so a far `at` (a month ahead at ×1) is re-armed instead of overflowing setTimeout. */
const MAX_TIMER_MS = 2 ** 31 - 1;

interface Pending extends SavedSend {
  timer?: NodeJS.Timeout;
}

const iso = (millis: number): string => new Date(millis).toISOString();
/** Far enough that `occurrencesBetween` stops at its count instead. */
const END_OF_TIME = new Date(8.64e15);

/**
 * Schedule control inside `npm start`: the ScheduleControl of the ops core, backed by the runner's
 * ScheduleRunner and virtual clock instead of EventBridge. One-time sends wait in memory.
 */
export class RunnerScheduleControl implements ScheduleControl {
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly options: RunnerScheduleControlOptions) {
    for (const { id, job, at, body } of options.sends?.saved ?? []) {
      const entry: Pending = { id, job, at, body };
      this.pending.set(id, entry);
      this.arm(entry);
    }
  }

  private stopped = false;

  private saveSends(): void {
    // After stop, the list in memory is cleared, not done: the saved one stands for the next start.
    if (this.stopped) return;
    this.options.sends?.save([...this.pending.values()].map(({ id, job, at, body }) => ({ id, job, at, body })));
  }

  /** Every schedule that names its job and schedule in its input, in template order. */
  rows(): ScheduleRow[] {
    return this.options.runner.states.flatMap((state) => {
      const identity = scheduleIdentity(state.schedule);
      return identity ? [this.row(identity.job, identity.schedule, state)] : [];
    });
  }

  find(job: string, schedule: string): ScheduleState {
    const state = this.options.runner.states.find((s) => {
      const identity = scheduleIdentity(s.schedule);
      return identity?.job === job && identity.schedule === schedule;
    });
    if (!state) throw new NotFoundError(`No schedule "${job}/${schedule}" in the running stack`);
    return state;
  }

  async describe(ref: ScheduleRef): Promise<DeployedSchedule> {
    const state = this.find(ref.job, ref.schedule);
    return {
      state: state.enabled ? 'ENABLED' : 'DISABLED',
      expression: state.schedule.expression,
      timeZone: state.schedule.timeZone,
      activeSince: iso(this.options.runner.activeSinceOf(state)),
      rateAnchor: iso(this.options.runner.anchorOf(state)),
    };
  }

  async setEnabled(ref: ScheduleRef, enabled: boolean): Promise<void> {
    this.options.runner.setEnabled(this.find(ref.job, ref.schedule), enabled);
  }

  trigger(ref: ScheduleRef): Promise<string> {
    return this.options.runner.fire(this.find(ref.job, ref.schedule));
  }

  /** Throws a ScheduleExpressionError quoting the value when AWS would refuse the expression or zone. */
  async update(ref: ScheduleRef, expression: string, timeZone: string): Promise<void> {
    this.options.runner.update(this.find(ref.job, ref.schedule), expression, timeZone);
  }

  /** Sends `body` to the job's queue when the virtual clock reaches `at`; returns the pending send's ID. */
  async sendAt(job: string, body: string, at: Date): Promise<string> {
    this.options.queueUrlOf(job);
    const entry: Pending = { id: randomUUID(), job, at: at.toISOString(), body };
    this.pending.set(entry.id, entry);
    this.saveSends();
    this.arm(entry);
    return entry.id;
  }

  /**
   * Jumps the virtual clock forward by `ms`: the schedules skip what lies between; one-time sends that fall due go now.
   */
  advanceClock(ms: number): void {
    this.options.clock.advance(ms);
    this.options.runner.rearm();
    for (const entry of this.pending.values()) {
      clearTimeout(entry.timer);
      this.arm(entry);
    }
  }

  pendingSends(): PendingSend[] {
    return [...this.pending.values()].map(({ id, job, at }) => ({ id, job, at }));
  }

  /** Disarms every pending send, which stays saved for the next start; called when the stack stops. */
  stop(): void {
    this.stopped = true;
    for (const entry of this.pending.values()) clearTimeout(entry.timer);
    this.pending.clear();
  }

  private arm(entry: Pending): void {
    const { clock, client, queueUrlOf } = this.options;
    const due = Date.parse(entry.at);
    entry.timer = setTimeout(
      () => {
        if (!this.pending.has(entry.id)) return;
        if (clock.now() + 1 < due) return this.arm(entry);
        this.pending.delete(entry.id);
        // Saved once sent: a stop in between sends it again on the next start (at least once, as SQS delivers).
        client
          .send(new SendMessageCommand({ QueueUrl: queueUrlOf(entry.job), MessageBody: entry.body }))
          .catch((error: unknown) =>
            console.error(`send-at ${entry.job} ${entry.id}: could not send: ${String(error)}`),
          )
          .finally(() => this.saveSends());
      },
      Math.min(clock.realDelayUntil(due), MAX_TIMER_MS),
    );
    entry.timer.unref();
  }

  private row(job: string, schedule: string, state: ScheduleState): ScheduleRow {
    const { expression, timeZone, kind } = state.schedule;
    const occurrences = this.occurrences(state);
    return {
      job,
      schedule,
      expression,
      timeZone,
      state: state.enabled ? 'ENABLED' : 'DISABLED',
      next: state.next === undefined ? null : iso(state.next),
      upcoming: occurrences.flatMap((o) => (o.dst === 'gap-skipped' ? [] : [o.at])),
      occurrences,
      via: kind,
      activeSince: iso(this.options.runner.activeSinceOf(state)),
      rateAnchor: iso(this.options.runner.anchorOf(state)),
    };
  }

  /**
   * The armed occurrence and those after it, with the DST notes of EventBridge's behaviour, which the runner
   * emulates (a skipped one is listed, flagged). Anchored at the armed occurrence, so a rate keeps the runner's anchor.
   */
  private occurrences(state: ScheduleState): ScheduleRow['occurrences'] {
    if (state.next === undefined) return [];
    const { expression, timeZone } = state.schedule;
    const after = new Date(Math.min(this.options.clock.now(), state.next - 1));
    const count = this.options.upcoming ?? UPCOMING_OCCURRENCES.default;
    return occurrencesBetween({ expression, timeZone, anchor: new Date(state.next) }, after, END_OF_TIME, count).map(
      (o) => {
        const note = dstFlag(o, timeZone);
        return { at: o.at.toISOString(), local: o.local, ...(o.dst && { dst: o.dst }), ...(note && { note }) };
      },
    );
  }
}
