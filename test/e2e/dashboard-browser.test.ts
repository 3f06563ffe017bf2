import { runKey } from '@serverless-jobs/runtime/adapters';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { SendMessageBatchCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobOutputKey, tableOutputKey } from '@serverless-jobs/runtime/contracts';
import { RunStatus } from '@serverless-jobs/runtime/runtime';
import { type DashboardStack, startDashboardStack } from '#test/e2e/dashboard-fixture';
import { clientsFor, ROOT, seedOrder } from '#test/e2e/local-stack-fixture';

/** Debian's Chromium; .ci/run installs it. */
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
/** An order that is not in the table when its message first arrives. */
const GHOST = 'ghost-1';
/** The page's one date-time format: 24-hour, to the second, naming its zone (UTC, or a schedule's offset). */
const DATE_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC(?:[-+]\d{1,2}(?::\d{2})?)?$/;
/** Whatever reads as a date in the formats a browser's locale produces: ISO, 05/12/2026, 05 Dec 2026, Dec 5, 2026. */
const DATE_LIKE = new RegExp(
  [
    String.raw`\d{4}-\d{2}-\d{2}(?:[T ][\d:.]+Z?(?: [A-Z]{3}[-+\d:]*)?)?`,
    String.raw`\d{1,2}/\d{1,2}/\d{2,4}(?:,? [\d:]+(?: ?[AP]M)?)?`,
    String.raw`\d{1,2} [A-Z][a-z]{2} \d{4}(?:,? [\d:]+)?`,
    String.raw`[A-Z][a-z]{2} \d{1,2}, \d{4}(?:,? [\d:]+(?: ?[AP]M)?)?`,
  ].join('|'),
  'g',
);
/** Runs a page of the runs list shows. */
const RUNS_PER_PAGE = 20;
const haveChromium = existsSync(CHROMIUM);
const inCi = process.env.CI === 'true' || process.env.CI === '1';
if (!haveChromium && !inCi) {
  console.warn(
    `SKIPPED the dashboard browser test: ${CHROMIUM} is missing. Install it with: apt-get install -y ` +
      `chromium (CI fails instead).`,
  );
}

describe.skipIf(!haveChromium && !inCi)('Dashboard: the page in headless Chromium', () => {
  let local: DashboardStack;
  let context: BrowserContext;
  let page: Page;
  let profile: string;
  const pageErrors: string[] = [];
  const notFound: string[] = [];

  beforeAll(async () => {
    if (!haveChromium) throw new Error(`${CHROMIUM} is missing: CI must install chromium (see .ci/run)`);
    local = await startDashboardStack('sj-dash-ui-');
    profile = mkdtempSync(join(tmpdir(), 'sj-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1400, height: 1000 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (error) => void pageErrors.push(error.message));
    page.on('dialog', (dialog) => void pageErrors.push(`dialog: ${dialog.message()}`));
    page.on('response', (response) => {
      if (response.status() === 404) notFound.push(response.url());
    });
    await page.goto(`${local.url}/`);
    await page.waitForSelector('body[data-ready="true"]');
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await local?.stack.stop(2_000);
    if (profile) rmSync(profile, { recursive: true, force: true });
  }, 30_000);

  const clients = () => clientsFor(local.stack.describe().endpoints as { sqs: string; dynamodb: string });
  const cell = (section: string, job: string, column: string) =>
    page.locator(`#${section} tbody tr[data-job="${job}"] td.${column}`);
  const runRows = () => page.locator('#runs tbody tr');
  const attributes = async (name: string) =>
    Promise.all((await runRows().all()).map(async (row) => (await row.getAttribute(name)) ?? ''));
  const runIds = () => attributes('data-id');

  it('lists the jobs with their schedules, next occurrences and actions, and the queues', async () => {
    const cleanup = page.locator('#jobs tbody tr[data-job="cleanup"][data-schedule="daily"]');
    await expect.poll(() => cleanup.textContent()).toContain('cron(0 2 * * ? *)');
    expect(await cleanup.locator('.badge').first().textContent()).toBe('Active');
    expect(await cleanup.locator('.next div').count()).toBe(5);
    await expect.poll(() => page.locator('#queues tbody tr').count()).toBe(8);
    await expect.poll(() => page.locator('#health-badge').textContent()).toBe('Healthy');
  });

  it('says the runs are loading until they are read, then that none match the filters', async () => {
    // A screenshot taken before the first read showed "No runs yet." on a ledger full of runs.
    const html = await (await fetch(`${local.url}/`)).text();
    expect(html).toMatch(/<p id="runs-empty"[^>]*>Loading runs…<\/p>/);
    await page.selectOption('#runs-job', 'send-email');
    await page.selectOption('#runs-status', 'SKIPPED');
    const empty = page.locator('#runs-empty');
    await expect.poll(() => empty.textContent()).toBe('No runs match these filters.');
    expect(await empty.isVisible()).toBe(true);
    await page.selectOption('#runs-job', '');
    await page.selectOption('#runs-status', '');
    await expect.poll(() => empty.textContent()).not.toBe('No runs match these filters.');
  });

  it('pauses and resumes a schedule from its buttons; a paused one reads as paused', async () => {
    const row = page.locator('#jobs tbody tr[data-job="cleanup"][data-schedule="daily"]');
    const state = row.locator('.badge').first();
    const next = row.locator('td').nth(3); // Next occurrences
    // The page's own refresh, every 2 s, can show the new state before the button's answer sets the message.
    const message = page.locator('#jobs-message');
    await page.click('#jobs button[data-action="pause"][data-job="cleanup"]');
    await expect.poll(() => message.textContent()).toBe('cleanup/daily: paused');
    await expect.poll(() => state.textContent()).toBe('Paused');
    await expect.poll(() => next.textContent()).toBe('Paused: no occurrences until resumed');
    expect(await row.textContent()).not.toMatch(/none|DISABLED/);
    await page.click('#jobs button[data-action="resume"][data-job="cleanup"]');
    await expect.poll(() => message.textContent()).toBe('cleanup/daily: resumed');
    await expect.poll(() => state.textContent()).toBe('Active');
    await expect.poll(() => next.locator('.next div').count()).toBe(5);
  });

  it('triggers cleanup, and its run appears in the runs as SUCCEEDED', async () => {
    await page.click('#jobs button[data-action="trigger"][data-job="cleanup"]');
    await expect
      .poll(() => page.locator('#jobs-message').textContent())
      .toMatch(/^cleanup\/daily triggered for \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC$/);
    const run = page.locator('#runs tbody tr[data-job="cleanup"][data-status="SUCCEEDED"]');
    await expect.poll(() => run.count(), { timeout: 30_000 }).toBeGreaterThan(0);
    expect(await run.first().locator('td.id').textContent()).toMatch(/^daily@/);
  }, 45_000);

  it("shows a running run's progress, and cancels it from its button: CANCELLED, with the reason", async () => {
    const now = new Date().toISOString();
    await clients().dynamodb.send(
      new PutItemCommand({
        TableName: local.stack.model.outputs[tableOutputKey('Ledger')]!,
        Item: {
          ...runKey({ job: 'cleanup', id: 'cancel-me' }),
          ...{ job: { S: 'cleanup' }, id: { S: 'cancel-me' } },
          ...{ status: { S: RunStatus.RUNNING }, attempt: { N: '1' }, fence: { N: '1' }, createdAt: { S: now } },
          progress: { M: { done: { N: '40' }, total: { N: '100' }, note: { S: 'audit log' }, at: { S: now } } },
        },
      }),
    );
    const row = page.locator('#runs tbody tr[data-id="cancel-me"]');
    await expect.poll(() => row.locator('td.progress').textContent(), { timeout: 10_000 }).toBe('40/100 audit log');
    await row.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => row.getAttribute('data-status'), { timeout: 10_000 }).toBe('CANCELLED');
    expect(await row.locator('td.reason').textContent()).toBe('cancelled by an operator');
    expect(await row.getByRole('button', { name: 'Cancel' }).count()).toBe(0);
  });

  it('says what a durable run waits for, with its time in the page’s format', async () => {
    await clients().dynamodb.send(
      new PutItemCommand({
        TableName: local.stack.model.outputs[tableOutputKey('Ledger')]!,
        Item: {
          ...runKey({ job: 'fulfil-order', id: 'waits-1' }),
          ...{ job: { S: 'fulfil-order' }, id: { S: 'waits-1' }, status: { S: RunStatus.RUNNING } },
          ...{ attempt: { N: '1' }, fence: { N: '1' }, createdAt: { S: new Date().toISOString() } },
          callback: { M: { name: { S: 'payment' }, id: { S: 'cb-1' }, since: { S: '2027-02-01T06:00:00.000Z' } } },
        },
      }),
    );
    const row = page.locator('#runs tbody tr[data-id="waits-1"]');
    await expect
      .poll(() => row.locator('td.reason').textContent(), { timeout: 10_000 })
      .toBe('waiting for callback "payment" since 2027-02-01 06:00:00 UTC (jobs-cli callback)');
  });

  it('shows a schema error in the send form, as text, and sends a valid payload', async () => {
    await page.selectOption('#send-job', 'send-email');
    await page.fill('#send-payload', '{"to":"<img src=x onerror=alert(1)>","subject":"hi","text":"x"}');
    await page.click('#send-submit');
    const error = page.locator('#send-error');
    await expect.poll(() => error.textContent()).toMatch(/field "to".*\(given "<img src=x onerror=alert\(1\)>"\)/);
    expect(await error.locator('img').count()).toBe(0);
    await page.selectOption('#send-job', 'cleanup');
    await page.fill('#send-payload', '{"auditRetentionDays": 30}');
    await page.click('#send-submit');
    await expect.poll(() => page.locator('#send-result').textContent()).toMatch(/^Sent .+ to cleanup$/);
    expect(await error.textContent()).toBe('');
  });

  it('counts a bad message sent straight to the queue in the DLQ, and shows the dead run with its ' +
    'error and attempts', async () => {
    // An order that does not exist: process-order fails it permanently, so it goes to the DLQ on its first attempt.
    const { sqs } = clients();
    const queueUrl = local.stack.model.outputs[jobOutputKey.queueUrl('process-order')]!;
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify({ orderId: GHOST }) }));
    await expect.poll(() => cell('queues', 'process-order', 'dlq').textContent(), { timeout: 30_000 }).toBe('1');
    await page.selectOption('#runs-job', 'process-order');
    expect(
      await page.locator('#runs-status option').evaluateAll((options) => options.map((o) => o.textContent)),
    ).toEqual(['any', ...Object.values(RunStatus)]);
    await page.selectOption('#runs-status', 'DEAD');
    const dead = page.locator('#runs tbody tr[data-job="process-order"][data-status="DEAD"]');
    await expect.poll(() => dead.count(), { timeout: 10_000 }).toBe(1);
    expect(await dead.locator('td.error').textContent()).toContain(
      `permanent failure: PermanentJobError: field "orderId": no such order (given "${GHOST}")`,
    );
    expect(await dead.locator('td.attempt').textContent()).toBe('1');
    await expect.poll(() => page.locator('#health-badge').textContent(), { timeout: 10_000 }).toBe('Unhealthy');
  }, 45_000);

  it('redrives the DLQ: a dry run moves nothing; once the order exists, the real one runs it to success', async () => {
    await page.selectOption('#redrive-job', 'process-order');
    await page.click('#redrive-dry');
    const result = page.locator('#redrive-result');
    // The dry run ends on an empty receive, a long poll of a second: more than expect.poll's own default of 1 s.
    await expect
      .poll(() => result.textContent(), { timeout: 20_000 })
      .toBe('process-order: would move 1 message(s) back to the queue (dry run: nothing moved)');
    expect(await page.locator('#redrive-messages li').textContent()).toContain('no such order');
    await expect.poll(() => cell('queues', 'process-order', 'dlq').textContent()).toBe('1');
    await seedOrder(
      clients().dynamodb,
      local.stack.model.outputs[tableOutputKey('Orders')]!,
      GHOST,
      'ghost@example.com',
    );
    await page.click('#redrive-run');
    await expect
      .poll(() => result.textContent(), { timeout: 20_000 })
      .toBe('process-order: moved 1 message(s) back to the queue');
    await expect.poll(() => cell('queues', 'process-order', 'dlq').textContent(), { timeout: 20_000 }).toBe('0');
    await page.selectOption('#runs-status', 'SUCCEEDED');
    const redriven = page.locator('#runs tbody tr[data-job="process-order"][data-status="SUCCEEDED"]');
    await expect.poll(() => redriven.count(), { timeout: 30_000 }).toBe(1);
    await expect.poll(() => page.locator('#health-badge').textContent(), { timeout: 10_000 }).not.toBe('Unhealthy');
  }, 75_000);

  it('pages the runs: 20 a page, Next shows older ones, the page stays as tall', async () => {
    const { sqs } = clients();
    const queueUrl = local.stack.model.outputs[jobOutputKey.queueUrl('send-email')]!;
    const emails = Array.from({ length: 45 }, (_, i) => ({ to: `page-${i}@example.com`, subject: 'hi', text: 'x' }));
    for (let i = 0; i < emails.length; i += 10) {
      const batch = emails
        .slice(i, i + 10)
        .map((payload, j) => ({ Id: String(j), MessageBody: JSON.stringify(payload) }));
      await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: batch }));
    }
    const sent = async () =>
      ((await (await fetch(`${local.url}/api/runs?job=send-email&status=SUCCEEDED&limit=100`)).json()) as unknown[])
        .length;
    await expect.poll(sent, { timeout: 30_000 }).toBeGreaterThanOrEqual(45);
    await page.selectOption('#runs-job', '');
    await page.selectOption('#runs-status', '');
    await expect.poll(() => runRows().count()).toBe(RUNS_PER_PAGE);
    expect(await page.locator('#runs-page').textContent()).toBe('Page 1');
    expect(await page.locator('#runs-prev').isDisabled()).toBe(true);
    const firstPage = await runIds();
    const created = async () => (await attributes('data-created')).map((iso) => Date.parse(iso));
    const oldestOnFirst = Math.min(...(await created()));
    const height = () => page.evaluate<number>('document.documentElement.scrollHeight');
    const runsHeight = async () => (await page.locator('#runs').boundingBox())?.height ?? Number.POSITIVE_INFINITY;
    const firstHeight = await height();
    // 20 rows of one line and a few wrapped errors; 60 rows made the page 4,000 px tall.
    expect(await runsHeight()).toBeLessThan(1_000);

    await page.click('#runs-next');
    await expect.poll(() => page.locator('#runs-page').textContent()).toBe('Page 2');
    await expect.poll(() => runRows().count()).toBe(RUNS_PER_PAGE);
    const secondPage = await runIds();
    expect(secondPage.filter((id) => firstPage.includes(id))).toEqual([]);
    expect(Math.max(...(await created()))).toBeLessThanOrEqual(oldestOnFirst);
    expect(await runsHeight()).toBeLessThan(1_000);
    expect(Math.abs((await height()) - firstHeight)).toBeLessThan(200);
    // The page refreshes every 2 s; page 2 keeps its runs rather than shifting as new ones arrive.
    await page.waitForTimeout(2_500);
    expect(await runIds()).toEqual(secondPage);

    await page.click('#runs-prev');
    await expect.poll(() => page.locator('#runs-page').textContent()).toBe('Page 1');
    expect(await page.locator('#runs-prev').isDisabled()).toBe(true);
    await expect.poll(async () => (await runIds()).filter((id) => secondPage.includes(id))).toEqual([]);
  }, 60_000);

  it('shows every date and time in one 24-hour format that names its zone', async () => {
    const lastSuccess = page.locator('#health tbody tr[data-job="cleanup"] td').nth(2);
    await expect.poll(() => lastSuccess.textContent()).toMatch(DATE_TIME);
    expect(await page.locator('#clock').textContent()).toMatch(DATE_TIME);
    expect(await runRows().first().locator('td').first().textContent()).toMatch(DATE_TIME); // Created
    expect(await page.locator('#jobs tbody tr[data-job="cleanup"] .next div').first().textContent()).toMatch(
      /^\d{4}-\d{2}-\d{2} 02:00:00 UTC$/,
    );
    // Every text on the page but the run IDs, which carry an occurrence's ISO time as the ledger keys it.
    const texts = await page.evaluate<string[]>(`(() => {
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      const found = [];
      for (let node = walker.nextNode(); node; node = walker.nextNode())
        if (!node.parentElement.closest('td.id')) found.push(node.nodeValue);
      return found;
    })()`);
    const dates = texts.flatMap((text) => text.match(DATE_LIKE) ?? []);
    expect(dates.length).toBeGreaterThan(RUNS_PER_PAGE);
    expect(dates.filter((date) => !DATE_TIME.test(date))).toEqual([]);
  });

  it('serves a favicon, and no request of the page is answered 404', async () => {
    const link = page.locator('link[rel="icon"]');
    expect(await link.count()).toBe(1);
    const icon = await fetch(new URL((await link.getAttribute('href'))!, local.url));
    expect(icon.status).toBe(200);
    expect(icon.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    expect((await fetch(`${local.url}/favicon.ico`)).status).toBe(200);
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    await page.waitForLoadState('networkidle');
    expect(notFound).toEqual([]);
  });

  it('charts the metrics from the EMF lines, and saves a screenshot', async () => {
    await page.selectOption('#runs-job', '');
    await page.selectOption('#runs-status', '');
    await page.selectOption('#metrics-job', 'cleanup');
    const metrics = (await (await fetch(`${local.url}/api/metrics`)).json()) as {
      series: { job: string; succeeded: number }[];
    };
    expect(
      metrics.series.filter((m) => m.job === 'cleanup').reduce((sum, m) => sum + m.succeeded, 0),
    ).toBeGreaterThanOrEqual(2);
    await expect.poll(() => page.locator('#chart-runs canvas').count(), { timeout: 10_000 }).toBe(1);
    await page.waitForTimeout(5_500); // one metrics refresh after the job was chosen
    // The test writes test-output/ only; docs/dashboard.png (the README's picture) is updated by hand from it.
    mkdirSync(join(ROOT, 'test-output'), { recursive: true });
    const shot = join(ROOT, 'test-output', 'dashboard.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect(statSync(shot).size).toBeGreaterThan(10_000);
    expect(pageErrors).toEqual([]);
  }, 30_000);
});
