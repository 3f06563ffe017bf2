import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '@serverless-jobs/local/runner';
import { tableOutputKey } from '@serverless-jobs/runtime/contracts';
import { USAGE } from '@serverless-jobs/cli/commands';
import { HEALTH_EXIT_CODE, type HealthReport, type JobView, type RunView } from '@serverless-jobs/cli/ops';
import {
  type CliResult,
  clientsFor,
  eventually,
  getItem,
  jobsCli,
  ROOT,
  seedOrder,
  startAppStack,
} from '#test/e2e/local-stack-fixture';

describe('CLI: jobs against npm start', () => {
  let stack: LocalStack;
  let dataDir: string;
  /** What the functions logged, one JSON object a line. */
  const logged: string[] = [];

  /** The real bin in a child process, asynchronously: the emulators answer from this very process. */
  const jobs = jobsCli(() => dataDir);
  const json = <T>(result: CliResult): T => JSON.parse(result.stdout) as T;

  beforeAll(async () => {
    ({ stack, dataDir } = await startAppStack('sj-cli-', {
      persist: false,
      logFormat: 'json',
      write: (text) => void logged.push(text),
    }));
  }, 180_000);

  afterAll(async () => {
    await stack?.stop(2_000);
  }, 30_000);

  it('sends a valid order, which is processed, and lists it in runs', async () => {
    const { dynamodb } = clientsFor(stack.describe().endpoints as { sqs: string; dynamodb: string });
    const orders = stack.model.outputs[tableOutputKey('Orders')]!;
    await seedOrder(dynamodb, orders, 'cli-e2e-1', 'cli-e2e@example.com');
    const sent = await jobs('send', 'process-order', '--data', '{"orderId":"cli-e2e-1"}', '--id', 'order/cli-e2e-1');
    expect(sent).toMatchObject({ code: 0, stdout: 'Sent 1 process-order job(s): order/cli-e2e-1\n' });
    await eventually(
      async () =>
        (await getItem(dynamodb, orders, { orderId: 'cli-e2e-1' }))?.status === 'PROCESSED' ? true : undefined,
      30_000,
      'the order',
    );
    const runs = json<RunView[]>(await jobs('runs', 'process-order', '--status', 'SUCCEEDED', '--json'));
    expect(runs.map((r) => [r.id, r.status])).toContainEqual(['order/cli-e2e-1', 'SUCCEEDED']);
    const table = await jobs('runs', 'process-order');
    expect(table.stdout.split('\n')[0]).toMatch(
      /^CREATED\s+ID\s+STATUS\s+ATTEMPT\s+DURATION\s+PROGRESS\s+TRACE\s+LAST ERROR \/ REASON$/,
    );
  }, 90_000);

  it("shows in runs a run's trace ID, the one on each of its log lines; the confirmation it enqueues runs " +
    'in the same trace', async () => {
    const { dynamodb } = clientsFor(stack.describe().endpoints as { sqs: string; dynamodb: string });
    await seedOrder(dynamodb, stack.model.outputs[tableOutputKey('Orders')]!, 'cli-trace-1', 'trace@example.com');
    const data = '{"orderId":"cli-trace-1"}';
    expect((await jobs('send', 'process-order', '--data', data, '--id', 'order/cli-trace-1')).code).toBe(0);
    const runOf = (job: string, id: string) =>
      eventually(
        async () =>
          json<RunView[]>(await jobs('runs', job, '--json')).find((r) => r.id === id && r.status === 'SUCCEEDED'),
        40_000,
        `the ${job} run ${id}`,
      );
    const order = await runOf('process-order', 'order/cli-trace-1');
    const confirmation = await runOf('send-email', 'order-confirmation/cli-trace-1');
    expect(order.traceId).toMatch(/^1-[0-9a-f]{8}-[0-9a-f]{24}$/);
    expect(confirmation.traceId).toBe(order.traceId);
    const row = (await jobs('runs', 'process-order')).stdout.split('\n').find((l) => l.includes('order/cli-trace-1'));
    expect(row).toContain(order.traceId);

    const lines = logged
      .flatMap((chunk) => chunk.split('\n'))
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const linesOf = (job: string, id: string) => lines.filter((l) => l.job === job && l.jobId === id);
    const orderLines = linesOf('process-order', 'order/cli-trace-1');
    expect(orderLines.map((l) => l.message)).toContain('Order processed');
    for (const line of orderLines) expect(line.xray_trace_id, String(line.message)).toBe(order.traceId);
    // At the default level a successful run is named by its batch's line; its own lines are at DEBUG.
    const settled = (job: string) =>
      lines.filter((l) => l.job === job && l.message === 'Batch settled').flatMap((l) => l.succeeded as string[]);
    expect(settled('process-order')).toContain('order/cli-trace-1');
    expect(settled('send-email')).toContain('order-confirmation/cli-trace-1');
  }, 90_000);

  it('refuses an invalid payload with one line naming the field and value, and exit code 2', async () => {
    const refused = await jobs('send', 'process-order', '--data', '{"orderId":"a b"}');
    expect(refused.code).toBe(2);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toBe(
      'jobs-cli: send process-order: nothing sent: field "orderId": must be ' +
        'letters, digits, _ or - (given "a b")\n',
    );
  }, 30_000);

  it('triggers cleanup now, which runs once under its occurrence ID', async () => {
    const triggered = await jobs('trigger', 'cleanup', '--json');
    expect(triggered.code).toBe(0);
    const { jobId } = json<{ jobId: string }>(triggered);
    expect(jobId).toMatch(/^daily@\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    const run = await eventually(
      async () => {
        const runs = json<RunView[]>(await jobs('runs', 'cleanup', '--json'));
        return runs.find((r) => r.id === jobId && r.status === 'SUCCEEDED');
      },
      40_000,
      'the cleanup run',
    );
    expect(run.attempt).toBe(1);
  }, 60_000);

  it('pauses and resumes daily-report through the control API', async () => {
    const state = async () =>
      json<JobView[]>(await jobs('list', '--json')).find((j) => j.name === 'daily-report')!.schedules[0]!;
    expect((await jobs('pause', 'daily-report')).stdout).toMatch(/^Paused daily-report\/daily/);
    expect(await state()).toMatchObject({ state: 'DISABLED', next: [] });
    expect((await jobs('resume', 'daily-report')).code).toBe(0);
    const resumed = await state();
    expect(resumed.state).toBe('ENABLED');
    expect(resumed.next).toHaveLength(3);
  }, 60_000);

  it('answers health with the exit code of its state', async () => {
    const result = await jobs('health', '--json');
    const report = json<HealthReport>(result);
    expect(report.jobs.map((j) => j.job)).toContain('process-order');
    expect(result.code).toBe(HEALTH_EXIT_CODE[report.state]);
  }, 30_000);
});

describe('CLI: jobs with nothing to talk to', () => {
  /** Above Linux's highest PID: no process has it, as none has the PID of a crashed npm start. */
  const GONE = 2 ** 22 + 1;
  let cwd: string;

  /** The real bin on a machine with no npm start running and no AWS configuration: no region, no credentials. */
  const bare = (...args: string[]): Promise<CliResult> => {
    const env: NodeJS.ProcessEnv = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_')),
    );
    Object.assign(env, {
      AWS_CONFIG_FILE: join(cwd, 'no-aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(cwd, 'no-aws-credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
      NO_COLOR: '1',
    });
    return new Promise((resolve) => {
      execFile(process.execPath, [join(ROOT, 'bin/jobs.mjs'), ...args], { cwd, env }, (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      );
    });
  };

  beforeAll(() => {
    cwd = mkdtempSync(join(tmpdir(), 'sj-cli-bare-'));
  });

  it('says that no npm start runs in the data folder, how to start one or reach AWS, and exits 3', async () => {
    const health = await bare('health', '--data-dir', 'data');
    expect(health.code).toBe(3);
    expect(health.stdout).toBe('');
    const lead =
      'jobs-cli: No npm start is running in data (it has no runner.json); start one with npm start, or pass ' +
      '--aws to reach the deployed stack (tried AWS as well: ServerlessJobs-dev: ';
    expect(health.stderr.startsWith(lead), health.stderr).toBe(true);
    expect(health.stderr.slice(lead.length)).toMatch(/^[^\n]+\)\n$/);

    mkdirSync(join(cwd, 'data'), { recursive: true });
    const state = { pid: GONE, stackName: 'ServerlessJobs-dev', endpoints: {}, outputs: {} };
    writeFileSync(join(cwd, 'data', 'runner.json'), JSON.stringify(state));
    const stale = await bare('list', '--data-dir', 'data');
    expect(stale.code).toBe(3);
    expect(stale.stderr).toContain(
      'jobs-cli: No npm start is running in data (its runner.json is stale: the npm start that wrote it, ' +
        `PID ${GONE}, is gone); start one with npm start, or pass --aws to reach the deployed stack`,
    );
  }, 30_000);

  it('with --aws and a stack it cannot read, exits 3 too', async () => {
    const aws = await bare('--aws', 'dlq', 'process-order');
    expect(aws.code).toBe(3);
    expect(aws.stderr).toMatch(/^jobs-cli: Cannot read stack "ServerlessJobs-dev" \(.+\); check --stage, the region/);
  }, 30_000);

  it('without a command, prints the usage and exits 2', async () => {
    expect(await bare()).toEqual({ code: 2, stdout: '', stderr: `${USAGE}\n` });
  }, 30_000);
});
