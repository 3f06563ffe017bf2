import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalStack } from '@serverless-jobs/local/runner';
import type { HealthReport, RunView } from '@serverless-jobs/cli/ops';
import type { WatchReport } from '@serverless-jobs/runtime/schedules';
import { clientsFor, eventually, getItem, ROOT, synthesizedApp } from '#test/e2e/local-stack-fixture';
import { tableOutputKey } from '@serverless-jobs/runtime/contracts';
import { allJobs } from '#shared/jobs/registry';

/**
 * On the local stack through its control API (as the dashboard and curl use it):
 * daily-report is paused for two simulated days and resumed with `catchUp: latest`, which runs exactly one
 * catch-up report; the watchdog reports 0 missed for the paused period, and an occurrence dropped on purpose
 * (the clock jumped over it while the schedule ran) raises MissedOccurrences and makes health Unhealthy.
 */
describe('Local stack: the watchdog, pause and catch-up of daily-report', () => {
  let stack: LocalStack;
  const output: string[] = [];
  let watchdogRuns = 0;

  beforeAll(async () => {
    stack = await LocalStack.start({
      root: ROOT,
      jobs: allJobs,
      cdkOut: synthesizedApp(),
      synth: 'never',
      dataDir: mkdtempSync(join(tmpdir(), 'sj-watchdog-')),
      persist: false,
      clockSpeed: 1,
      // Ten seconds before daily-report's 06:00.
      startAt: Date.parse('2027-02-01T05:59:50Z'),
      // The test fires the watchdog itself, at the moments it checks.
      pausedSchedules: ['schedule-watchdog/every-5-minutes'],
      write: (text) => void output.push(text),
    });
  }, 180_000);

  afterAll(async () => {
    await stack?.stop(2_000);
  }, 30_000);

  async function api<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const { url, token } = stack.describe().dashboard!;
    const response = await fetch(new URL(path, url), {
      method,
      headers: { 'content-type': 'application/json', 'x-jobs-token': token },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return JSON.parse(text) as T;
  }

  const runs = (job: string) => api<RunView[]>('GET', `/api/runs?job=${job}&limit=100`);
  const runOf = async (job: string, id: string) => (await runs(job)).find((r) => r.id === id);
  const succeeded = (job: string, id: string) =>
    eventually(
      async () => ((await runOf(job, id))?.status === 'SUCCEEDED' ? runOf(job, id) : undefined),
      30_000,
      `${job}/${id} to succeed`,
    );

  /**
   * Fires the watchdog a minute on (virtual time) and returns what it stored for daily-report's schedule. The
   * minute makes each check an occurrence of its own: two triggers in the same virtual second share a job ID,
   * and the second is acknowledged as a duplicate without running (as a double click on Trigger is).
   */
  async function watch(): Promise<WatchReport> {
    await api('POST', '/api/clock/advance', { by: '1m' });
    const { occurrence } = await api<{ occurrence: string }>(
      'POST',
      '/api/schedules/schedule-watchdog/every-5-minutes/trigger',
    );
    watchdogRuns++;
    await succeeded('schedule-watchdog', `every-5-minutes@${occurrence}`);
    const { dynamodb } = clientsFor(stack.describe().endpoints as { sqs: string; dynamodb: string });
    const state = await getItem(dynamodb, stack.model.outputs[tableOutputKey('Ledger')]!, {
      pk: '#schedule/daily-report/daily',
      sk: '#',
    });
    return JSON.parse(String(state!.last)) as WatchReport;
  }

  const missedMetric = (job: string) =>
    stack.output.metrics
      .filter((m) => m.document.job === job && typeof m.document.MissedOccurrences === 'number')
      .map((m) => m.document.MissedOccurrences);

  it('reports 0 missed for two paused days, runs exactly one catch-up report on resume, and alarms ' +
    'on an occurrence dropped on purpose', async () => {
    // The other schedules are paused, through the same API, so only daily-report's clock matters here.
    await api('POST', '/api/schedules/cleanup/daily/pause');
    await api('POST', '/api/schedules/monthly-report/monthly/pause');
    await succeeded('daily-report', 'daily@2027-02-01T06:00:00Z');
    expect((await watch()).expected).toBe(0); // the first check starts the watch

    await api('POST', '/api/schedules/daily-report/daily/pause');
    await api('POST', '/api/clock/advance', { by: '49h' }); // 2027-02-03T07:01
    const whilePaused = await watch();
    expect(whilePaused).toMatchObject({ expected: 1, missed: [], paused: 2, enqueued: [] });
    expect(missedMetric('daily-report').at(-1)).toBe(0);

    await api('POST', '/api/schedules/daily-report/daily/resume');
    const resumed = await watch();
    expect(resumed).toMatchObject({
      missed: [],
      enqueued: ['daily@2027-02-03T06:00:00Z'],
      superseded: ['daily@2027-02-02T06:00:00Z'],
    });
    await succeeded('daily-report', 'daily@2027-02-03T06:00:00Z');
    expect((await watch()).enqueued).toEqual([]); // at most once

    const reportRuns = (await runs('daily-report'))
      .filter((r) => r.schedule === 'daily')
      .map((r) => [r.id, r.status])
      .sort();
    expect(reportRuns).toEqual([
      ['daily@2027-02-01T06:00:00Z', 'SUCCEEDED'],
      ['daily@2027-02-03T06:00:00Z', 'SUCCEEDED'], // 02-02 was passed over: no run
    ]);
    const { ses } = stack.describe().endpoints as Record<string, string>;
    const reports = await eventually(
      async () => {
        const { emails } = (await (await fetch(`${ses}/store`)).json()) as { emails: { subject: string }[] };
        const daily = emails.filter((e) => /^Daily report/i.test(e.subject));
        return daily.length >= 2 ? daily : undefined;
      },
      30_000,
      'two daily report e-mails',
    );
    expect(reports).toHaveLength(2); // 2027-01-31's (the 02-01 run) and 2027-02-02's (the one catch-up)
    const healthy = await api<HealthReport>('GET', '/health');
    expect(healthy.jobs.find((j) => j.job === 'daily-report')).toMatchObject({ state: 'Healthy', reasons: [] });

    // Dropped on purpose: the clock jumps over 2027-02-04 06:00 while the schedule runs, so it never fires.
    await api('POST', '/api/clock/advance', { by: '1410m' }); // 2027-02-04T06:34, each watch() a minute on
    const dropped = await watch();
    expect(dropped).toMatchObject({ missed: ['daily@2027-02-04T06:00:00Z'], paused: 0 });
    expect(missedMetric('daily-report').at(-1)).toBe(1);
    const unhealthy = await api<HealthReport>('GET', '/health');
    expect(unhealthy.jobs.find((j) => j.job === 'daily-report')).toMatchObject({ state: 'Unhealthy' });
    expect(unhealthy.jobs.find((j) => j.job === 'daily-report')!.reasons).toContain(
      'schedule "daily" missed its occurrence 2027-02-04T06:00:00Z: no run in the ledger',
    );
    expect(watchdogRuns).toBe(5);
  }, 240_000);
});
