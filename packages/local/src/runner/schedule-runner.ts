import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import {
  assertTimeZone,
  nextOccurrences,
  parseScheduleExpression,
  ScheduleExpressionError,
} from '@serverless-jobs/runtime/cron';
import { occurrenceTime } from '@serverless-jobs/runtime/schedules';
import type { LocalSchedule } from './local-model.ts';
import type { SavedSchedule, ScheduleSettings } from './saved-state.ts';
import type { VirtualClock } from './virtual-clock.ts';

/**
 * The message body AWS would deliver for this occurrence. A rule's `<time>` is a quoted JSON string
 * inside the template.
 */
export function occurrenceInput(schedule: LocalSchedule, at: number): string {
  const time = occurrenceTime(at);
  const value = schedule.kind === 'rule' ? JSON.stringify(time) : time;
  return schedule.input.split(schedule.placeholder).join(value);
}

/** The job and schedule a schedule's input names (`{"job":"cleanup","schedule":"daily",...}`), if it names them. */
export function scheduleIdentity(schedule: LocalSchedule): { job: string; schedule: string } | undefined {
  try {
    const input = JSON.parse(schedule.input.split(schedule.placeholder).join('')) as {
      job?: unknown;
      schedule?: unknown;
    };
    if (typeof input.job === 'string' && typeof input.schedule === 'string')
      return { job: input.job, schedule: input.schedule };
  } catch {
    // a rule's template is not JSON until its placeholder is filled
  }
  return undefined;
}

export /** `cleanup/daily` for a schedule whose input names its job and schedule; its logical ID otherwise. */
function scheduleLabel(schedule: LocalSchedule): string {
  const identity = scheduleIdentity(schedule);
  return identity ? `${identity.job}/${identity.schedule}` : schedule.logicalId;
}

/** The input with its `timeZone` field replaced, when the input is JSON that has one (a scheduler's is). */
function withTimeZone(input: string, timeZone: string): string {
  try {
    const parsed = JSON.parse(input) as unknown;
    if (parsed !== null && typeof parsed === 'object' && 'timeZone' in parsed)
      return JSON.stringify({ ...parsed, timeZone });
  } catch {
    // not JSON until its placeholder is filled (a rule's template): leave it
  }
  return input;
}

export interface ScheduleState {
  /** Replaced, not mutated, when the schedule is updated. */
  schedule: LocalSchedule;
  enabled: boolean;
  next?: number;
}

export interface ScheduleRunnerOptions {
  readonly client: SQSClient;
  readonly clock: VirtualClock;
  readonly schedules: readonly LocalSchedule[];
  readonly queueUrlOf: (logicalId: string) => string;
  readonly report: (schedule: LocalSchedule, occurrence: string) => void;
  /** After a pause, a resume or an update: what differs from the template, to keep across a restart. */
  readonly onChange?: (changes: Record<string, SavedSchedule>) => void;
}

function settingsOf(schedule: LocalSchedule, enabled: boolean): ScheduleSettings {
  return { expression: schedule.expression, timeZone: schedule.timeZone, enabled };
}

const sameSettings = (a: ScheduleSettings, b: ScheduleSettings): boolean =>
  a.expression === b.expression && a.timeZone === b.timeZone && a.enabled === b.enabled;

/** Fires every schedule of the template from its cron or rate, in its time zone, on the virtual clock. */
export class ScheduleRunner {
  readonly states: ScheduleState[];
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Rate schedules count from here: the runner's start, or the schedule's last update (as AWS re-anchors). */
  private readonly anchors = new Map<string, number>();
  /** Paused by a start option for this run only (`pausedSchedules`): not a change to keep, until changed. */
  private readonly pausedForThisRun = new Set<string>();
  /** When a schedule was last updated or resumed; the runner's start for the others. */
  private readonly activeSince = new Map<string, number>();
  private readonly anchor: number;

  constructor(private readonly options: ScheduleRunnerOptions) {
    this.states = options.schedules.map((schedule) => ({ schedule, enabled: schedule.enabled }));
    this.anchor = options.clock.now();
  }

  /** Set by stop(): a firing still in flight must not re-arm its schedule afterwards (it did, and kept firing). */
  private stopped = false;

  /** Whether start() ran before: the first start arms from the runner's creation, later ones from the clock. */
  private started = false;

  /**
   * Arms every schedule from one instant. Each from its own `clock.now()` lost occurrences: at a high clock speed,
   * computing the first schedules' next occurrences took long enough (CI, 3600×) for a later one's to pass unarmed.
   */
  start(): void {
    this.stopped = false;
    const from = this.started ? this.options.clock.now() : this.anchor;
    this.started = true;
    for (const state of this.states) this.arm(state, from - 1);
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  /** Sends the occurrence message now, as a "trigger now" would, with the current virtual time. */
  async fire(state: ScheduleState, at: number = this.options.clock.now()): Promise<string> {
    const occurrence = occurrenceTime(at);
    await this.options.client.send(
      new SendMessageCommand({
        QueueUrl: this.options.queueUrlOf(state.schedule.queueLogicalId),
        MessageBody: occurrenceInput(state.schedule, at),
      }),
    );
    this.options.report(state.schedule, occurrence);
    return occurrence;
  }

  /** Since when the schedule has run as it is: its last update or resume, or the runner's start. */
  activeSinceOf(state: ScheduleState): number {
    return this.activeSince.get(state.schedule.logicalId) ?? this.anchor;
  }

  /**
   * Applies changes saved by an earlier run, before `start()`, as EventBridge keeps a schedule's state until the
   * next deploy: a change whose schedule the template no longer has, or has with other settings (a deploy), is
   * dropped. Returns the labels (`job/schedule`) of the schedules that run otherwise than deployed, each with how
   * (`daily-report/daily (paused)`), and of those whose changes were dropped.
   */
  restore(saved: Readonly<Record<string, SavedSchedule>>): { restored: string[]; dropped: string[] } {
    const restored: string[] = [];
    const dropped = Object.keys(saved).filter((id) => !this.states.some((s) => s.schedule.logicalId === id));
    for (const state of this.states) {
      const { logicalId } = state.schedule;
      const change = saved[logicalId];
      if (!change) continue;
      if (!sameSettings(change.deployed, settingsOf(state.schedule, state.enabled))) {
        dropped.push(scheduleLabel(state.schedule));
        continue;
      }
      const { expression, timeZone, enabled } = change.current;
      state.enabled = enabled;
      if (expression !== state.schedule.expression || timeZone !== state.schedule.timeZone)
        state.schedule = {
          ...state.schedule,
          expression,
          timeZone,
          input: withTimeZone(state.schedule.input, timeZone),
        };
      if (change.anchor !== undefined) this.anchors.set(logicalId, change.anchor);
      if (change.activeSince !== undefined) this.activeSince.set(logicalId, change.activeSince);
      // One paused and resumed since is as deployed again: when it resumed is kept, but there is no change to name.
      const differences = [
        ...(enabled === change.deployed.enabled ? [] : [enabled ? 'resumed' : 'paused']),
        ...(expression === change.deployed.expression && timeZone === change.deployed.timeZone
          ? []
          : [`${expression} in ${timeZone}`]),
      ];
      if (differences.length > 0) restored.push(`${scheduleLabel(state.schedule)} (${differences.join(', ')})`);
    }
    return { restored, dropped };
  }

  /** Pauses a schedule for this run, before `start()`, without saving it as a change (a test's or a demo's). */
  pauseForThisRun(state: ScheduleState): void {
    state.enabled = false;
    this.pausedForThisRun.add(state.schedule.logicalId);
  }

  /** Each schedule that differs from the template or was changed, with the template's settings beside it. */
  changes(): Record<string, SavedSchedule> {
    const changes: Record<string, SavedSchedule> = {};
    for (const state of this.states) {
      const { logicalId } = state.schedule;
      const template = this.options.schedules.find((s) => s.logicalId === logicalId);
      if (!template || this.pausedForThisRun.has(logicalId)) continue;
      const deployed = settingsOf(template, template.enabled);
      const current = settingsOf(state.schedule, state.enabled);
      const anchor = this.anchors.get(logicalId);
      const activeSince = this.activeSince.get(logicalId);
      if (sameSettings(deployed, current) && anchor === undefined && activeSince === undefined) continue;
      changes[logicalId] = { deployed, current, anchor, activeSince };
    }
    return changes;
  }

  /** Where the schedule's rate counts from: the runner's start, or the schedule's last update. */
  anchorOf(state: ScheduleState): number {
    return this.anchors.get(state.schedule.logicalId) ?? this.anchor;
  }

  /**
   * Re-arms every schedule from the clock's present, after the clock jumped: the occurrences jumped over never
   * fire, as if EventBridge had been down (the watchdog reports the enabled ones missed).
   */
  rearm(): void {
    for (const state of this.states) this.arm(state);
  }

  setEnabled(state: ScheduleState, enabled: boolean): void {
    if (enabled && !state.enabled) this.activeSince.set(state.schedule.logicalId, this.options.clock.now());
    this.pausedForThisRun.delete(state.schedule.logicalId);
    state.enabled = enabled;
    this.arm(state);
    this.options.onChange?.(this.changes());
  }

  /**
   * Changes a schedule's expression and time zone, then re-arms it; throws a ScheduleExpressionError
   * that quotes the value for anything AWS would refuse.
   */
  update(state: ScheduleState, expression: string, timeZone: string): void {
    parseScheduleExpression(expression);
    assertTimeZone(timeZone);
    if (state.schedule.kind === 'rule' && timeZone !== 'UTC') {
      throw new ScheduleExpressionError(
        `Invalid time zone "${timeZone}" for ${state.schedule.name}: EventBridge rules run in UTC only`,
      );
    }
    state.schedule = { ...state.schedule, expression, timeZone, input: withTimeZone(state.schedule.input, timeZone) };
    this.anchors.set(state.schedule.logicalId, this.options.clock.now());
    this.activeSince.set(state.schedule.logicalId, this.options.clock.now());
    this.pausedForThisRun.delete(state.schedule.logicalId);
    this.arm(state);
    this.options.onChange?.(this.changes());
  }

  /**
   * After a firing, the next occurrence is counted from the occurrence just
   * fired (`after`), not from the clock. Counting from the clock skipped an occurrence whenever the send took
   * longer than the gap to the next one (at `--clock-speed 86400`, a 1 s send skips a daily run); now a late
   * occurrence fires at once, late, as EventBridge Scheduler delivers a late one, and the ledger runs it once.
   */
  private arm(state: ScheduleState, after?: number): void {
    clearTimeout(this.timers.get(state.schedule.logicalId));
    this.timers.delete(state.schedule.logicalId);
    state.next = undefined;
    if (!state.enabled || this.stopped) return;
    const { clock } = this.options;
    const from = new Date(after ?? clock.now());
    const [next] = nextOccurrences(
      state.schedule.expression,
      state.schedule.timeZone,
      from,
      1,
      new Date(this.anchorOf(state)),
    );
    if (!next) return;
    state.next = next.getTime();
    // Timers are capped so a far occurrence (a monthly one at high clock speed) is re-armed, not overflowed.
    const delay = Math.min(clock.realDelayUntil(state.next), 2 ** 31 - 1);
    const timer = setTimeout(() => {
      const due = state.next!;
      if (clock.now() + 1 < due) return this.arm(state, after);
      const schedule = state.schedule;
      this.fire(state, due)
        .catch((error: unknown) =>
          console.error(`schedule ${state.schedule.name}: could not send the occurrence: ${String(error)}`),
        )
        // Unless the schedule was updated, paused or resumed meanwhile (which re-armed it from the clock).
        .finally(() => state.schedule === schedule && state.enabled && state.next === due && this.arm(state, due));
    }, delay);
    timer.unref();
    this.timers.set(state.schedule.logicalId, timer);
  }
}
