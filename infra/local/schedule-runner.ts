import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { nextOccurrences } from '#shared/cron/schedule-expression';
import type { LocalSchedule } from '#infra/local/local-model';
import type { VirtualClock } from '#infra/local/virtual-clock';

/** EventBridge Scheduler's `<aws.scheduler.scheduled-time>`: ISO 8601 in UTC, to the second. */
export function formatScheduledTime(at: number): string {
  return new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The message body AWS would deliver for this occurrence. A rule's `<time>` is a quoted JSON string inside the template. */
export function occurrenceInput(schedule: LocalSchedule, at: number): string {
  const time = formatScheduledTime(at);
  const value = schedule.kind === 'rule' ? JSON.stringify(time) : time;
  return schedule.input.split(schedule.placeholder).join(value);
}

export interface ScheduleState {
  readonly schedule: LocalSchedule;
  enabled: boolean;
  next?: number;
}

export interface ScheduleRunnerOptions {
  readonly client: SQSClient;
  readonly clock: VirtualClock;
  readonly schedules: readonly LocalSchedule[];
  readonly queueUrlOf: (logicalId: string) => string;
  readonly report: (schedule: LocalSchedule, occurrence: string) => void;
}

/** Fires every schedule of the template from its cron or rate, in its time zone, on the virtual clock. */
export class ScheduleRunner {
  readonly states: ScheduleState[];
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly anchor: number;

  constructor(private readonly options: ScheduleRunnerOptions) {
    this.states = options.schedules.map((schedule) => ({ schedule, enabled: schedule.enabled }));
    this.anchor = options.clock.now();
  }

  start(): void {
    for (const state of this.states) this.arm(state);
  }

  stop(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  /** Sends the occurrence message now, as a "trigger now" would, with the current virtual time. */
  async fire(state: ScheduleState, at: number = this.options.clock.now()): Promise<string> {
    const occurrence = formatScheduledTime(at);
    await this.options.client.send(
      new SendMessageCommand({ QueueUrl: this.options.queueUrlOf(state.schedule.queueLogicalId), MessageBody: occurrenceInput(state.schedule, at) }),
    );
    this.options.report(state.schedule, occurrence);
    return occurrence;
  }

  setEnabled(state: ScheduleState, enabled: boolean): void {
    state.enabled = enabled;
    this.arm(state);
  }

  private arm(state: ScheduleState): void {
    clearTimeout(this.timers.get(state.schedule.logicalId));
    this.timers.delete(state.schedule.logicalId);
    state.next = undefined;
    if (!state.enabled) return;
    const { clock } = this.options;
    const [next] = nextOccurrences(state.schedule.expression, state.schedule.timeZone, new Date(clock.now()), 1, new Date(this.anchor));
    if (!next) return;
    state.next = next.getTime();
    // Timers are capped so a far occurrence (a monthly one at high clock speed) is re-armed, not overflowed.
    const delay = Math.min(clock.realDelayUntil(state.next), 2 ** 31 - 1);
    const timer = setTimeout(() => {
      if (clock.now() + 1 < state.next!) return this.arm(state);
      this.fire(state, state.next!)
        .catch((error: unknown) => console.error(`schedule ${state.schedule.name}: could not send the occurrence: ${String(error)}`))
        .finally(() => this.arm(state));
    }, delay);
    timer.unref();
    this.timers.set(state.schedule.logicalId, timer);
  }
}
