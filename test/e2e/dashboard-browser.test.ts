import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobOutputKey, tableOutputKey } from '@serverless-jobs/runtime/contracts';
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

  it('lists the jobs with their schedules, next occurrences and actions, and the queues', async () => {
    const cleanup = page.locator('#jobs tbody tr[data-job="cleanup"][data-schedule="daily"]');
    await expect.poll(() => cleanup.textContent()).toContain('cron(0 2 * * ? *)');
    expect(await cleanup.textContent()).toContain('ENABLED');
    expect(await cleanup.locator('.next div').count()).toBe(5);
    await expect.poll(() => page.locator('#queues tbody tr').count()).toBe(7);
    await expect.poll(() => page.locator('#health-badge').textContent()).toBe('Healthy');
  });

  it('pauses and resumes a schedule from its buttons', async () => {
    await page.click('#jobs button[data-action="pause"][data-job="cleanup"]');
    const state = page.locator('#jobs tbody tr[data-job="cleanup"] .badge');
    await expect.poll(() => state.textContent()).toBe('DISABLED');
    await page.click('#jobs button[data-action="resume"][data-job="cleanup"]');
    await expect.poll(() => state.textContent()).toBe('ENABLED');
  });

  it('triggers cleanup, and its run appears in the runs as SUCCEEDED', async () => {
    await page.click('#jobs button[data-action="trigger"][data-job="cleanup"]');
    await expect.poll(() => page.locator('#jobs-message').textContent()).toMatch(/cleanup\/daily triggered for \d{4}-/);
    const run = page.locator('#runs tbody tr[data-job="cleanup"][data-status="SUCCEEDED"]');
    await expect.poll(() => run.count(), { timeout: 30_000 }).toBeGreaterThan(0);
    expect(await run.first().locator('td.id').textContent()).toMatch(/^daily@/);
  }, 45_000);

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
