import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DashboardStack, scheduleRow, startDashboardStack } from '#test/e2e/dashboard-fixture';

describe('Dashboard: control API of npm start', () => {
  let local: DashboardStack;

  beforeAll(async () => {
    local = await startDashboardStack('sj-dash-sec-');
  }, 120_000);

  afterAll(async () => {
    await local?.stack.stop(2_000);
  }, 30_000);

  const call = (method: string, path: string, headers: Record<string, string> = {}, body?: unknown) =>
    fetch(`${local.url}${path}`, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const token = () => ({ 'x-jobs-token': local.token });

  it('listens on 127.0.0.1 and is written to runner.json with a random token', () => {
    expect(local.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(local.token).toMatch(/^[0-9a-f]{64}$/);
    expect(local.stack.describe().dashboard).toEqual({ url: local.url, token: local.token });
  });

  it('lists the schedules by job and schedule name, as the CLI reads them', async () => {
    const row = await scheduleRow(local.url, 'cleanup', 'daily');
    expect(row).toMatchObject({
      job: 'cleanup',
      schedule: 'daily',
      expression: 'cron(0 2 * * ? *)',
      timeZone: 'UTC',
      state: 'ENABLED',
    });
    expect(Date.parse(row!.next!)).toBeGreaterThan(0);
  });

  it('refuses a cross-origin POST with the right token, and the schedule stays enabled', async () => {
    const response = await call('POST', '/api/schedules/cleanup/daily/pause', {
      ...token(),
      origin: 'http://evil.example',
    });
    expect(response.status).toBe(403);
    expect(((await response.json()) as { error: string }).error).toMatch(/cross-origin/);
    expect((await scheduleRow(local.url, 'cleanup', 'daily'))?.state).toBe('ENABLED');
  });

  it(
    'refuses a POST without the token, or with a wrong one, even from its own origin, and nothing ' + 'changes',
    async () => {
      const refused: Record<string, string>[] = [
        { origin: local.url },
        { origin: local.url, 'x-jobs-token': 'f'.repeat(64) },
        {},
      ];
      for (const headers of refused) {
        expect((await call('POST', '/api/schedules/cleanup/daily/pause', headers)).status).toBe(403);
      }
      const put = await call(
        'PUT',
        '/api/schedules/cleanup/daily',
        { origin: local.url },
        { expression: 'cron(0 4 * * ? *)', timeZone: 'UTC' },
      );
      expect(put.status).toBe(403);
      const send = await call('POST', '/api/send', {}, { job: 'cleanup', payload: {} });
      expect(send.status).toBe(403);
      expect(await scheduleRow(local.url, 'cleanup', 'daily')).toMatchObject({
        state: 'ENABLED',
        expression: 'cron(0 2 * * ? *)',
      });
    },
  );

  it('refuses a cross-site browser request (sec-fetch-site) and a DNS-rebound host name', async () => {
    const crossSite = await call('POST', '/api/schedules/cleanup/daily/pause', {
      ...token(),
      'sec-fetch-site': 'cross-site',
    });
    expect(crossSite.status).toBe(403);
    // fetch will not send another Host; node:http will, as a DNS-rebound name would arrive.
    const { port } = new URL(local.url);
    const rebound = await new Promise<number | undefined>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port, path: '/api/schedules', headers: { host: `evil.example:${port}` } },
        (res) => {
          res.resume();
          resolve(res.statusCode);
        },
      );
      req.once('error', reject);
      req.end();
    });
    expect(rebound).toBe(403);
    expect((await scheduleRow(local.url, 'cleanup', 'daily'))?.state).toBe('ENABLED');
  });

  it('pauses and resumes with the token from a client that sends no Origin (the CLI)', async () => {
    // The CLI sends a JSON content type on these bodyless POSTs.
    const headers = { ...token(), 'content-type': 'application/json' };
    expect((await call('POST', '/api/schedules/cleanup/daily/pause', headers)).status).toBe(200);
    expect(await scheduleRow(local.url, 'cleanup', 'daily')).toMatchObject({ state: 'DISABLED', next: null });
    expect((await call('POST', '/api/schedules/cleanup/daily/resume', { ...token(), origin: local.url })).status).toBe(
      200,
    );
    expect((await scheduleRow(local.url, 'cleanup', 'daily'))?.state).toBe('ENABLED');
  });

  it('rejects an invalid expression or time zone with a 400 that quotes it, and re-arms a valid one', async () => {
    const bad = await call('PUT', '/api/schedules/daily-report/daily', token(), {
      expression: 'cron(0 25 * * ? *)',
      timeZone: 'UTC',
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toContain('"25"');
    const zone = await call('PUT', '/api/schedules/daily-report/daily', token(), {
      expression: 'cron(0 7 * * ? *)',
      timeZone: 'Mars/Olympus',
    });
    expect(zone.status).toBe(400);
    expect(((await zone.json()) as { error: string }).error).toContain('"Mars/Olympus"');
    const good = await call('PUT', '/api/schedules/daily-report/daily', token(), {
      expression: 'cron(30 7 * * ? *)',
      timeZone: 'Europe/Berlin',
    });
    expect(good.status).toBe(200);
    const row = await scheduleRow(local.url, 'daily-report', 'daily');
    expect(row).toMatchObject({ expression: 'cron(30 7 * * ? *)', timeZone: 'Europe/Berlin', state: 'ENABLED' });
    const next = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/Berlin',
      hour: '2-digit',
      minute: '2-digit',
    }).format(new Date(row!.next!));
    expect(next).toBe('07:30');
  });

  it('triggers a schedule now and answers its occurrence; refuses an unknown schedule with 404', async () => {
    const trigger = await call('POST', '/api/schedules/cleanup/daily/trigger', token());
    expect(trigger.status).toBe(200);
    expect(((await trigger.json()) as { occurrence: string }).occurrence).toMatch(
      /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/,
    );
    expect((await call('POST', '/api/schedules/cleanup/hourly/trigger', token())).status).toBe(404);
  });

  it('keeps a send-at pending on the virtual clock, and validates a send with the field and value', async () => {
    const at = new Date(local.stack.clock.now() + 86_400_000).toISOString();
    const sendAt = await call('POST', '/api/send-at', token(), { job: 'cleanup', body: '{"payload":{}}', at });
    expect(sendAt.status).toBe(200);
    const { id } = (await sendAt.json()) as { id: string };
    const pending = (await (await call('GET', '/api/send-at')).json()) as { id: string; at: string }[];
    expect(pending).toContainEqual({ id, job: 'cleanup', at });
    const bad = await call('POST', '/api/send', token(), { job: 'cleanup', payload: { auditRetentionDays: 0 } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/field "auditRetentionDays".*\(given 0\)/);
    const empty = await call('POST', '/api/send', token(), { job: 'cleanup' });
    expect(((await empty.json()) as { error: string }).error).toContain('field "payload": required (given nothing)');
  });

  it('refuses a runs query it cannot read with a 400 that says what it takes', async () => {
    const status = await call('GET', '/api/runs?status=BOGUS');
    expect(status.status).toBe(400);
    expect(((await status.json()) as { error: string }).error).toMatch(
      /field "status": .*"CANCELLED".*\(given "BOGUS"\)/,
    );
    const limit = await call('GET', '/api/runs?limit=abc');
    expect(limit.status).toBe(400);
    expect(((await limit.json()) as { error: string }).error).toContain(
      'field "limit": must be a whole number from 1 to 500 (given "abc")',
    );
  });
});
