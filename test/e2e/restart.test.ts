import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetQueueAttributesCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalStack } from '@serverless-jobs/local/runner';
import { jobOutputKey, tableOutputKey } from '@serverless-jobs/runtime/contracts';
import { clientsFor, eventually, ROOT, seedOrder, synthesizedApp } from '#test/e2e/local-stack-fixture';
import { allJobs } from '#shared/jobs/registry';

interface ScheduleRow {
  job: string;
  schedule: string;
  state: string;
  expression: string;
  timeZone: string;
}

/** What a restart must keep, read through the emulators and the control API as the CLI would. */
interface Kept {
  dlq: number;
  delayed: number;
  schedules: Record<string, Pick<ScheduleRow, 'state' | 'expression' | 'timeZone'>>;
  sends: { job: string }[];
  emailsTo: string[];
}

describe('npm start, restarted on the same data folder', () => {
  let cdkOut: string;
  let dataDir: string;
  let stack: LocalStack | undefined;
  const progress: string[] = [];
  const start = (reset = false) =>
    LocalStack.start(
      {
        root: ROOT,
        jobs: allJobs,
        cdkOut,
        synth: 'never',
        dataDir,
        reset,
        // The watchdog's own test covers it; here it would only add runs.
        pausedSchedules: ['schedule-watchdog/every-5-minutes'],
        write: () => {},
      },
      (message) => void progress.push(message),
    );

  const api = async <T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> => {
    const dashboard = stack!.describe().dashboard!;
    const response = await fetch(new URL(path, dashboard.url), {
      method: init.method ?? 'GET',
      headers: { 'x-jobs-token': dashboard.token, 'content-type': 'application/json' },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  };

  const kept = async (): Promise<Kept> => {
    const outputs = stack!.model.outputs;
    const { sqs } = clientsFor(stack!.describe().endpoints as { sqs: string; dynamodb: string });
    const count = async (url: string | undefined, attribute: 'ApproximateNumberOfMessages' | 'Delayed') => {
      const name = attribute === 'Delayed' ? 'ApproximateNumberOfMessagesDelayed' : attribute;
      const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: [name] }));
      return Number(Attributes?.[name]);
    };
    const rows = await api<ScheduleRow[]>('/api/schedules');
    const { ses } = stack!.describe().endpoints as Record<string, string>;
    const store = (await (await fetch(`${ses}/store`)).json()) as { emails: { destination: { to: string[] } }[] };
    return {
      dlq: await count(outputs[jobOutputKey.dlqUrl('process-order')], 'ApproximateNumberOfMessages'),
      delayed: await count(outputs[jobOutputKey.queueUrl('cleanup')], 'Delayed'),
      schedules: Object.fromEntries(
        rows
          .filter((row) => row.job !== 'schedule-watchdog')
          .map((row) => [
            `${row.job}/${row.schedule}`,
            { state: row.state, expression: row.expression, timeZone: row.timeZone },
          ]),
      ),
      sends: (await api<{ job: string }[]>('/api/send-at')).map(({ job }) => ({ job })),
      emailsTo: store.emails.flatMap((email) => email.destination.to),
    };
  };

  let fresh: Kept;

  beforeAll(async () => {
    cdkOut = synthesizedApp();
    dataDir = mkdtempSync(join(tmpdir(), 'sj-restart-'));
    stack = await start();
    fresh = await kept();
  }, 180_000);

  afterAll(async () => {
    await stack?.stop(2_000);
    rmSync(dataDir, { recursive: true, force: true });
  }, 30_000);

  it('keeps a DLQ message, a delayed message, a pause, a schedule change, a one-time send and the e-mails; ' +
    '--reset clears them', async () => {
    const outputs = stack!.model.outputs;
    const { sqs, dynamodb } = clientsFor(stack!.describe().endpoints as { sqs: string; dynamodb: string });
    // An e-mail, through the whole path: an order processed, its confirmation sent through SES.
    await seedOrder(dynamodb, outputs[tableOutputKey('Orders')]!, 'kept-1', 'kept@example.com');
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: outputs[jobOutputKey.queueUrl('process-order')],
        MessageBody: JSON.stringify({ id: 'kept-1', payload: { orderId: 'kept-1' } }),
      }),
    );
    // A message that fails validation goes to the DLQ.
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: outputs[jobOutputKey.queueUrl('process-order')],
        MessageBody: JSON.stringify({ id: 'bad-1', payload: { orderId: 42 } }),
      }),
    );
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: outputs[jobOutputKey.queueUrl('cleanup')],
        MessageBody: JSON.stringify({ id: 'later', payload: {} }),
        DelaySeconds: 900,
      }),
    );
    await api('/api/schedules/cleanup/daily/pause', { method: 'POST' });
    await api('/api/schedules/daily-report/daily', {
      method: 'PUT',
      body: { expression: 'cron(30 7 * * ? *)', timeZone: 'Europe/Berlin' },
    });
    await api('/api/send-at', {
      method: 'POST',
      body: { job: 'cleanup', body: JSON.stringify({ id: 'at-1', payload: {} }), at: '2099-01-01T00:00:00Z' },
    });
    const before = await eventually(async () => {
      const now = await kept();
      return now.dlq === 1 && now.emailsTo.includes('kept@example.com') ? now : undefined;
    }, 30_000);
    expect(before).toMatchObject({
      delayed: 1,
      sends: [{ job: 'cleanup' }],
      schedules: {
        'cleanup/daily': { state: 'DISABLED' },
        'daily-report/daily': { state: 'ENABLED', expression: 'cron(30 7 * * ? *)', timeZone: 'Europe/Berlin' },
      },
    });
    expect(before).not.toEqual(fresh);

    await stack!.stop(2_000);
    stack = undefined;
    stack = await start();
    expect(await kept()).toEqual(before);

    await stack.stop(2_000);
    stack = undefined;
    stack = await start(true);
    expect(await kept()).toEqual(fresh);
    expect(progress).toContain(`Reset: dropped the tables, queues, schedule changes and e-mails kept in ${dataDir}`);
    expect(progress).toContain(
      'Schedule changes kept from the last run: cleanup/daily (paused), daily-report/daily (cron(30 7 * * ? *) in ' +
        'Europe/Berlin)',
    );
  }, 150_000);
});
