import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ScheduleRow } from '@serverless-jobs/local/dashboard';
import type { LocalStack } from '@serverless-jobs/local/runner';
import { RUNNER_STATE_FILE } from '@serverless-jobs/runtime/contracts';
import { startAppStack } from '#test/e2e/local-stack-fixture';

/** What the dashboard tests need of a running local stack. */
export interface DashboardStack {
  readonly stack: LocalStack;
  readonly url: string;
  readonly token: string;
  readonly output: string[];
}

/** A local stack from the run's one synthesized app, with its dashboard on a free port and DynamoDB in memory. */
export async function startDashboardStack(prefix: string): Promise<DashboardStack> {
  const output: string[] = [];
  const { stack, dataDir } = await startAppStack(prefix, { persist: false, write: (text) => void output.push(text) });
  // The dashboard is found the way the CLI finds it: through runner.json.
  const state = JSON.parse(readFileSync(join(dataDir, RUNNER_STATE_FILE), 'utf8')) as {
    dashboard: { url: string; token: string };
  };
  return { stack, url: state.dashboard.url, token: state.dashboard.token, output };
}

export async function scheduleRow(url: string, job: string, schedule: string): Promise<ScheduleRow | undefined> {
  const rows = (await (await fetch(`${url}/api/schedules`)).json()) as ScheduleRow[];
  return rows.find((row) => row.job === job && row.schedule === schedule);
}
