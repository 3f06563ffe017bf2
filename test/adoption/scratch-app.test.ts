import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobView, RunView } from '@serverless-jobs/cli/ops';
import { parseRunnerState, RUNNER_STATE_FILE, type RunnerState } from '@serverless-jobs/runtime/contracts';
import { tableOutputKey } from '@serverless-jobs/runtime/contracts';
import { clientsFor, eventually, getItem, isRunning, ROOT } from '#test/e2e/local-stack-fixture';
import { type Finished, killAll, outsideEnv, run, started, tail } from '#test/adoption/child-processes';

/**
 * Adoption without forking: the four packages, packed as npm would publish them, installed into an app outside
 * this repository that has jobs of its own, written in plain ESM JavaScript (no tsx, no TypeScript, no source
 * condition). It synthesizes cdk-nag clean and runs both of its jobs under the local runner.
 */
const PACKAGES = ['runtime', 'cli', 'cdk', 'local'] as const; // in the order they build
const FIXTURE = join(ROOT, 'test/adoption/scratch-app');
const MINUTE = 60_000;

/** The scratch app's dependencies besides the tarballs: what its own files import, pinned as this repository is. */
function pinnedDependencies(): Record<string, string> {
  const manifest = readFileSync(join(ROOT, 'package.json'), 'utf8');
  const root = JSON.parse(manifest) as { dependencies: Record<string, string> };
  const names = ['@aws-sdk/client-dynamodb', 'aws-cdk-lib', 'cdk-nag', 'constructs'];
  return Object.fromEntries(names.map((name) => [name, root.dependencies[name]!]));
}

describe('Adoption: a scratch app outside the repository, on the packed packages', () => {
  const work = mkdtempSync(join(tmpdir(), 'sj-adoption-'));
  const packs = join(work, 'packs');
  const app = join(work, 'app');
  let runner: ChildProcess | undefined;
  let runnerOutput = '';
  let state: RunnerState | undefined;

  const cli = (...args: string[]): Promise<Finished> =>
    run(process.execPath, ['jobs-cli.mjs', '--local', ...args], app);
  /** A test that needs the ones before it: skipped once one of them failed. */
  let failed = false;
  const step = (name: string, body: () => Promise<void>, timeout = 5 * MINUTE) =>
    it(
      name,
      async (context) => {
        if (failed) context.skip('a step before this one failed');
        try {
          await body();
        } catch (error) {
          failed = true;
          throw error;
        }
      },
      timeout,
    );
  /** A wait that fails with what the runner printed. */
  const showingOutput = <T>(waiting: Promise<T>): Promise<T> =>
    waiting.catch((error: unknown) => {
      throw new Error(`${String(error)}; the runner printed:\n${runnerOutput.slice(-6000)}`);
    });
  const json = <T>(result: Finished): T => {
    expect(result.code, tail(result)).toBe(0);
    return JSON.parse(result.stdout) as T;
  };

  beforeAll(() => {
    mkdirSync(packs);
    cpSync(FIXTURE, app, { recursive: true });
  });

  /** The runner's state file as it is now (it lists each sandbox it starts), or undefined. */
  const readState = (): RunnerState | undefined => {
    const file = join(app, '.local', RUNNER_STATE_FILE);
    return existsSync(file) ? parseRunnerState(JSON.parse(readFileSync(file, 'utf8'))) : undefined;
  };

  afterAll(async () => {
    // After a failure: the runner stops what it started on SIGINT; what is still there after 20 s is killed by PID
    // (DynamoDB Local and the sandboxes run in process groups of their own).
    const children = readState()?.childPids ?? state?.childPids ?? [];
    if (runner && runner.exitCode === null && runner.signalCode === null) {
      const exited = new Promise((resolve) => runner?.once('exit', resolve));
      runner.kill('SIGINT');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 20_000))]);
    }
    const leftOver = [runner?.pid, ...children, ...[...started].map((child) => child.pid)];
    killAll(leftOver.filter((pid): pid is number => pid !== undefined && isRunning(pid)));
    rmSync(work, { recursive: true, force: true });
  }, MINUTE);

  step('packs the four packages with their compiled dist (prepack builds each)', async () => {
    const workspaces = PACKAGES.flatMap((name) => ['--workspace', `@serverless-jobs/${name}`]);
    const packed = await run('npm', ['pack', '--pack-destination', packs, ...workspaces], ROOT);
    expect(packed.code, tail(packed)).toBe(0);
    expect(readdirSync(packs).sort()).toEqual(PACKAGES.map((name) => `serverless-jobs-${name}-0.2.0.tgz`).sort());
  });

  step('installs the tarballs and the CDK CLI 2.x into an app of its own, from the npm cache', async () => {
    const tarballs = Object.fromEntries(
      PACKAGES.map((name) => [`@serverless-jobs/${name}`, `file:${join(packs, `serverless-jobs-${name}-0.2.0.tgz`)}`]),
    );
    const manifest = {
      name: 'scratch-visits',
      private: true,
      type: 'module',
      dependencies: { ...tarballs, ...pinnedDependencies() },
      devDependencies: { 'aws-cdk': '2.1148.1' },
    };
    writeFileSync(join(app, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    const installed = await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], app);
    expect(installed.code, tail(installed)).toBe(0);
    const local = join(app, 'node_modules/@serverless-jobs/local');
    expect(existsSync(join(local, 'dist/dashboard/page/index.html'))).toBe(true);
    for (const name of PACKAGES) {
      expect(existsSync(join(app, 'node_modules/@serverless-jobs', name, 'src')), name).toBe(false);
    }
  });

  step('synthesizes with cdk synth, cdk-nag clean, with its table, its Berlin schedule, its durable job', async () => {
    const synth = await run('npx', ['--no', 'cdk', 'synth', '--quiet'], app);
    expect(synth.code, tail(synth)).toBe(0);
    const report = JSON.parse(readFileSync(join(app, 'cdk.out/validation-report.json'), 'utf8')) as {
      pluginReports: { violations: unknown[] }[];
    };
    // No finding; AwsSolutions is in the report for its one acknowledgement, the durable checkpoint grant.
    expect(report.pluginReports.flatMap((plugin) => plugin.violations)).toEqual([]);
    type Resource = { Type: string; Properties: Record<string, unknown> };
    const template = JSON.parse(readFileSync(join(app, 'cdk.out/ScratchVisits.template.json'), 'utf8')) as {
      Resources: Record<string, Resource>;
    };
    const resources = Object.values(template.Resources);
    const tables = resources.filter((r) => r.Type === 'AWS::DynamoDB::Table');
    expect(tables.map((t) => t.Properties.KeySchema)).toContainEqual([{ AttributeName: 'visitId', KeyType: 'HASH' }]);
    const schedules = resources.filter((r) => r.Type === 'AWS::Scheduler::Schedule').map((r) => r.Properties);
    expect(schedules).toContainEqual(
      expect.objectContaining({
        ScheduleExpression: 'cron(0 9 * * ? *)',
        ScheduleExpressionTimezone: 'Europe/Berlin',
      }),
    );
    const durable = resources.filter((r) => r.Type === 'AWS::Lambda::Function' && r.Properties.DurableConfig);
    expect(durable.map((r) => r.Properties.DurableConfig)).toEqual([
      { ExecutionTimeout: 86_400, RetentionPeriodInDays: 14 },
    ]);
  });

  step('runs locally: a sent visit lands in its own table, and the Berlin job runs when triggered', async () => {
    const flags = ['--sqs-port', '0', '--dynamodb-port', '0', '--ses-port', '0', '--dashboard-port', '0'];
    const child = spawn(process.execPath, ['start.mjs', ...flags, '--in-memory', '--no-synth'], {
      cwd: app,
      env: outsideEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    runner = child;
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    for (const stream of [child.stdout, child.stderr]) stream.on('data', (chunk: Buffer) => (runnerOutput += chunk));
    const ready = await showingOutput(
      eventually(
        async () => {
          if (runnerOutput.includes('Press Ctrl-C to stop.')) return true;
          return child.exitCode === null ? undefined : false;
        },
        2 * MINUTE,
        'the ready line',
      ),
    );
    expect(ready, runnerOutput).toBe(true);
    state = readState();
    expect(state?.pid).toBe(child.pid);

    const payload = '{"visitId":"visit-1","page":"/pricing"}';
    const sent = await cli('send', 'record-visit', '--data', payload, '--id', 'visit/1');
    expect(sent).toMatchObject({ code: 0, stdout: 'Sent 1 record-visit job(s): visit/1\n', stderr: '' });
    const { jobId } = json<{ jobId: string }>(await cli('trigger', 'berlin-digest', '--json'));
    expect(jobId).toMatch(/^morning@\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);

    const succeeded = (job: string, id: string) =>
      showingOutput(
        eventually(
          async () => {
            const runs = json<RunView[]>(await cli('runs', job, '--json'));
            return runs.find((r) => r.id === id && r.status === 'SUCCEEDED');
          },
          MINUTE,
          `a SUCCEEDED run ${job}/${id}`,
        ),
      );
    expect(await succeeded('record-visit', 'visit/1')).toMatchObject({ attempt: 1 });
    expect(await succeeded('berlin-digest', jobId)).toMatchObject({ schedule: 'morning' });
    expect(runnerOutput).toContain('Guten Morgen from berlin-digest');

    const endpoints = { sqs: state!.endpoints.sqs!, dynamodb: state!.endpoints.dynamodb! };
    const visits = state!.outputs[tableOutputKey('Visits')]!;
    const visit = await getItem(clientsFor(endpoints).dynamodb, visits, { visitId: 'visit-1' });
    expect(visit).toMatchObject({ visitId: 'visit-1', page: '/pricing', at: expect.any(String) });

    // The durable job, on the packed local package's durable host: it waits for its callback, then runs its step.
    expect(await cli('send', 'review-visit', '--data', '{"visitId":"visit-1"}', '--id', 'review-1')).toMatchObject({
      code: 0,
    });
    await showingOutput(
      eventually(
        async () => json<RunView[]>(await cli('runs', 'review-visit', '--json')).find((r) => r.callbackId),
        MINUTE,
        'review-1 to wait for its callback',
      ),
    );
    const answered = await cli('callback', 'review-visit', 'review-1', '--data', '{"by":"ops"}');
    expect(answered.code, tail(answered)).toBe(0);
    expect(await succeeded('review-visit', 'review-1')).toMatchObject({ attempt: 1 });
    expect(await getItem(clientsFor(endpoints).dynamodb, visits, { visitId: 'visit-1' })).toMatchObject({
      reviewedBy: 'ops',
    });

    // 09:00 in Berlin is 08:00 UTC in winter and 07:00 UTC in summer.
    const jobsList = json<JobView[]>(await cli('list', '--json'));
    const morning = jobsList.find((j) => j.name === 'berlin-digest')?.schedules[0];
    expect(morning).toMatchObject({ timeZone: 'Europe/Berlin', state: 'ENABLED' });
    for (const at of morning!.next) expect(at).toMatch(/T0[78]:00:00(\.000)?Z$/);

    // DynamoDB Local and a sandbox per job that ran, at least.
    const pids = readState()?.childPids ?? [];
    expect(pids.length).toBeGreaterThanOrEqual(3);
    child.kill('SIGINT');
    expect(await exited, runnerOutput).toBe(0);
    expect(runnerOutput).toContain('Stopped: every emulator and sandbox the runner started has exited.');
    for (const pid of pids) expect(isRunning(pid), `pid ${pid}`).toBe(false);
  });
});
