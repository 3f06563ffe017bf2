import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '@serverless-jobs/local/runner';
import { jobOutputKey, tableOutputKey } from '@serverless-jobs/runtime/contracts';
import { iamProbeJob, iamScannerJob } from '#test/e2e/fixtures/iam-probe-job';
import { clientsFor, eventually, getItem, ledgerKey, startFixtureStack } from '#test/e2e/local-stack-fixture';

const ACCOUNT_ARN = 'arn:aws:sqs:us-east-1:000000000000';

describe('Local stack: each function runs with its own role, as IAM would check it', () => {
  let stack: LocalStack;
  let sqs: SQSClient;
  let dynamodb: DynamoDBClient;
  const lines: string[] = [];
  let n = 0;

  /** Runs the job once with `payload`, and waits for its run to end, SUCCEEDED or DEAD (one attempt). */
  const run = async (job: string, payload: Record<string, string>): Promise<Record<string, unknown>> => {
    const id = `probe-${++n}`;
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: stack.model.outputs[jobOutputKey.queueUrl(job)],
        MessageBody: JSON.stringify({ id, payload }),
      }),
    );
    return eventually(
      async () => {
        const item = await getItem(dynamodb, stack.model.outputs[tableOutputKey('Ledger')]!, ledgerKey(job, id));
        return item?.status === 'SUCCEEDED' || item?.status === 'DEAD' ? item : undefined;
      },
      30_000,
      `${job}/${id} to end`,
    );
  };

  beforeAll(async () => {
    const jobs = [iamProbeJob, iamScannerJob];
    stack = await startFixtureStack(
      jobs,
      (job) => `test/e2e/fixtures/${job === 'iam-probe' ? 'iam-probe' : 'iam-scanner'}-handler.ts`,
      'sj-iam-',
      { dashboard: false, write: (text) => lines.push(text) },
    );
    ({ sqs, dynamodb } = clientsFor(stack.describe().endpoints as { sqs: string; dynamodb: string }));
  }, 120_000);

  afterAll(async () => {
    await stack?.stop(2_000);
  }, 30_000);

  it('refuses a Scan the role lacks with AccessDeniedException naming dynamodb:Scan and the table', async () => {
    const table = stack.model.tables.find((t) => t.logicalId.startsWith('TablesOrders'))!.name;
    const refused = await run('iam-probe', { op: 'scan' });
    expect(refused.status).toBe('DEAD');
    expect(String(refused.lastError)).toContain('AccessDeniedException');
    expect(String(refused.lastError)).toContain('dynamodb:Scan');
    expect(String(refused.lastError)).toContain(`table/${table}`);
    expect(lines.join('')).toMatch(new RegExp(`\\[iam-probe\\].*IAM refused dynamodb:Scan on \\S*table/${table}`));

    const granted = await run('iam-scanner', { op: 'scan' });
    expect(granted.status).toBe('SUCCEEDED');
  }, 60_000);

  it('refuses an e-mail from outside the ses:FromAddress condition, and sends one from inside it', async () => {
    const refused = await run('iam-probe', { op: 'email', from: 'other@example.com' });
    expect(refused.status).toBe('DEAD');
    expect(String(refused.lastError)).toContain('ses:SendEmail');
    expect(lines.join('')).toMatch(
      /IAM refused ses:SendEmail .*only when ses:FromAddress StringEquals jobs@example.com/,
    );

    const sent = await run('iam-probe', { op: 'email', from: 'jobs@example.com' });
    expect(sent.status).toBe('SUCCEEDED');
    const store = (await (await fetch(`${stack.describe().endpoints.ses}/store`)).json()) as {
      emails: { from: string; subject: string }[];
    };
    expect(store.emails.filter((email) => email.subject === 'IAM probe').map((email) => email.from)).toEqual([
      'jobs@example.com',
    ]);
  }, 60_000);

  it("refuses a send to another job's queue, which the role does not allow", async () => {
    const other = stack.model.outputs[jobOutputKey.queueUrl('iam-scanner')]!;
    const otherName = other.split('/').pop();
    const refused = await run('iam-probe', { op: 'send', queueUrl: other });
    expect(refused.status).toBe('DEAD');
    expect(String(refused.lastError)).toContain('sqs:SendMessage');
    expect(String(refused.lastError)).toContain(`${ACCOUNT_ARN}:${otherName}`);
  }, 60_000);

  it('lets the operator (the CLI, seeding, these tests) do anything', async () => {
    const table = stack.model.tables.find((t) => t.logicalId.startsWith('TablesOrders'))!.name;
    const { ScanCommand } = await import('@aws-sdk/client-dynamodb');
    await expect(dynamodb.send(new ScanCommand({ TableName: table }))).resolves.toBeDefined();
  });
});
