import { z } from 'zod';
import { OpsTargetError } from './errors.ts';
import type { DeployedSchedule, ScheduleControl, ScheduleRef } from './ops-types.ts';

/** The header every state-changing request to the runner's control API carries. */
export const TOKEN_HEADER = 'x-jobs-token';

/** Where the running `npm start` serves its control API (runner.json's `dashboard`). */
export interface LocalControlEndpoint {
  readonly url: string;
  readonly token: string;
}

/** One entry of `GET /api/schedules`; `schedule` or `name` names it, `state` or `enabled` tells whether it runs. */
const scheduleEntry = z.looseObject({
  job: z.string(),
  schedule: z.string().optional(),
  name: z.string().optional(),
  expression: z.string(),
  timeZone: z.string().default('UTC'),
  state: z.enum(['ENABLED', 'DISABLED']).optional(),
  enabled: z.boolean().optional(),
  activeSince: z.string().optional(),
  rateAnchor: z.string().optional(),
});
const scheduleList = z.union([
  z.array(scheduleEntry),
  z.looseObject({ schedules: z.array(scheduleEntry) }).transform((o) => o.schedules),
]);
const triggerAnswer = z.looseObject({ occurrence: z.string().optional() });
const sendAtAnswer = z.looseObject({ id: z.string().optional(), name: z.string().optional() });

/**
 * Schedules under `npm start`, through its loopback control API:
 * `GET /api/schedules`, `POST /api/schedules/:job/:schedule/pause|resume|trigger`,
 * `PUT /api/schedules/:job/:schedule` {expression, timeZone} and `POST /api/send-at` {job, body, at}.
 */
export class LocalScheduleControl implements ScheduleControl {
  constructor(private readonly endpoint: LocalControlEndpoint | undefined) {}

  private async call(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<unknown> {
    if (!this.endpoint) {
      throw new OpsTargetError(
        'The running npm start has no control API (runner.json has no "dashboard"); restart it with ' +
          'the current version',
      );
    }
    const url = new URL(path, this.endpoint.url).toString();
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: {
          'content-type': 'application/json',
          ...(method === 'GET' ? {} : { [TOKEN_HEADER]: this.endpoint.token }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      throw new OpsTargetError(
        `npm start's control API at ${this.endpoint.url} does not answer ` +
          `(${(error as Error).message}); is npm start still running?`,
        { cause: error },
      );
    }
    const text = await response.text();
    if (!response.ok)
      throw new OpsTargetError(
        `npm start's control API: ${method} ${path} answered ${response.status} ${text.slice(0, 300)}`,
      );
    if (text === '') return {};
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new OpsTargetError(
        `npm start's control API: ${method} ${path} answered with something other than JSON: ${text.slice(0, 120)}`,
      );
    }
  }

  private path(ref: ScheduleRef, action?: string): string {
    const path = `/api/schedules/${encodeURIComponent(ref.job)}/${encodeURIComponent(ref.schedule)}`;
    return action ? `${path}/${action}` : path;
  }

  async describe(ref: ScheduleRef): Promise<DeployedSchedule> {
    const parsed = scheduleList.safeParse(await this.call('GET', '/api/schedules'));
    if (!parsed.success)
      throw new OpsTargetError(
        `npm start's control API: GET /api/schedules answered an unexpected shape: ` +
          `${parsed.error.message.slice(0, 200)}`,
      );
    const entry = parsed.data.find((e) => e.job === ref.job && (e.schedule ?? e.name) === ref.schedule);
    if (!entry)
      throw new OpsTargetError(
        `npm start runs no schedule ${ref.job}/${ref.schedule}; restart it after changing the declarations`,
      );
    const enabled = entry.state === undefined ? entry.enabled !== false : entry.state === 'ENABLED';
    return {
      state: enabled ? 'ENABLED' : 'DISABLED',
      expression: entry.expression,
      timeZone: entry.timeZone,
      activeSince: entry.activeSince,
      rateAnchor: entry.rateAnchor,
    };
  }

  async setEnabled(ref: ScheduleRef, enabled: boolean): Promise<void> {
    await this.call('POST', this.path(ref, enabled ? 'resume' : 'pause'));
  }

  async trigger(ref: ScheduleRef): Promise<string> {
    const answer = triggerAnswer.safeParse(await this.call('POST', this.path(ref, 'trigger')));
    return (answer.success ? answer.data.occurrence : undefined) ?? 'now';
  }

  async update(ref: ScheduleRef, expression: string, timeZone: string): Promise<void> {
    await this.call('PUT', this.path(ref), { expression, timeZone });
  }

  async sendAt(job: string, body: string, at: Date): Promise<string> {
    const answer = sendAtAnswer.safeParse(await this.call('POST', '/api/send-at', { job, body, at: at.toISOString() }));
    return (
      (answer.success ? (answer.data.id ?? answer.data.name) : undefined) ?? `local delayed send at ${at.toISOString()}`
    );
  }
}
