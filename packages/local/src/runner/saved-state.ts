import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { z } from 'zod';

const settings = z.object({ expression: z.string(), timeZone: z.string(), enabled: z.boolean() });

/** A schedule's expression, zone and state: as deployed (the template's), or as changed since. */
export type ScheduleSettings = z.infer<typeof settings>;

const savedSchedule = z.object({
  /** The template's settings when the change was made: a template that no longer has them drops the change. */
  deployed: settings,
  current: settings,
  /** Where a changed rate counts from (virtual epoch ms). */
  anchor: z.number().optional(),
  /** When the schedule was last changed or resumed (virtual epoch ms). */
  activeSince: z.number().optional(),
});

/** What the runner changed of one schedule (a pause, a new expression), kept across restarts. */
export type SavedSchedule = z.infer<typeof savedSchedule>;

const savedSend = z.object({ id: z.string(), job: z.string(), at: z.string(), body: z.string() });

/** A one-time send (`jobs send --at`) still waiting for its time. */
export type SavedSend = z.infer<typeof savedSend>;

const savedState = z.object({
  version: z.literal(1),
  /** By the schedule's logical ID. */
  schedules: z.record(z.string(), savedSchedule),
  sends: z.array(savedSend),
});

export type SavedState = z.infer<typeof savedState>;

const empty = (): SavedState => ({ version: 1, schedules: {}, sends: [] });

/**
 * The runner's own state that AWS would keep across a restart of `npm start`: schedule changes, as EventBridge
 * keeps them until the next deploy, and one-time sends not yet due. The emulators keep the rest (DynamoDB Local
 * its tables, fauxqs its queues). Without a path, nothing is kept (`--in-memory`).
 */
export class SavedStateFile {
  private state: SavedState;

  constructor(readonly path: string | undefined) {
    this.state = path && existsSync(path) ? SavedStateFile.read(path) : empty();
  }

  private static read(path: string): SavedState {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(path, 'utf8'));
    } catch (error) {
      throw new Error(`${path} is not JSON (${(error as Error).message}); start with --reset to drop it`);
    }
    const result = savedState.safeParse(parsed);
    if (!result.success) {
      const issue = result.error.issues[0];
      const where = issue?.path.join('.') || '(top level)';
      throw new Error(`${path}: "${where}" is not what the runner wrote (${issue?.message}); start with --reset`);
    }
    return result.data;
  }

  get schedules(): SavedState['schedules'] {
    return this.state.schedules;
  }

  get sends(): readonly SavedSend[] {
    return this.state.sends;
  }

  saveSchedules(schedules: SavedState['schedules']): void {
    this.state = { ...this.state, schedules };
    this.write();
  }

  saveSends(sends: readonly SavedSend[]): void {
    this.state = { ...this.state, sends: [...sends] };
    this.write();
  }

  /** Whole or not at all: a stop in the middle of a write leaves the previous file. */
  private write(): void {
    if (!this.path) return;
    const partial = `${this.path}.partial`;
    writeFileSync(partial, JSON.stringify(this.state, null, 2));
    renameSync(partial, this.path);
  }
}
