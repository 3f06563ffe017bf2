import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { jobOutputKey } from '@serverless-jobs/runtime/contracts';
import { clientsFor, eventually, isRunning, ROOT, synthesizedApp } from '#test/e2e/local-stack-fixture';

describe('Command: npm start', () => {
  it('prints a ready line with the endpoints, and on SIGINT drains, stops everything it started and ' +
    'exits 0', async () => {
    const cdkOut = synthesizedApp();
    const dataDir = mkdtempSync(join(tmpdir(), 'sj-start-'));
    const child = spawn(
      process.execPath,
      [
        // The command line of npm start (package.json), with fixed test options.
        '--conditions=@serverless-jobs/source',
        '--import',
        'tsx',
        'infra/local/start.ts',
        '--no-synth',
        '--cdk-out',
        cdkOut,
        '--data-dir',
        dataDir,
        '--in-memory',
        '--sqs-port',
        '0',
        '--dynamodb-port',
        '0',
        '--ses-port',
        '0',
      ],
      { cwd: ROOT, env: { PATH: process.env.PATH, HOME: tmpdir() }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      await eventually(
        async () => (stdout.includes('Press Ctrl-C to stop.') ? true : undefined),
        60_000,
        `the ready line; output so far:\n${stdout}`,
      );
      expect(stdout).toMatch(/export AWS_ENDPOINT_URL_SQS=http:\/\/127\.0\.0\.1:\d+/);
      expect(stdout).toMatch(/export AWS_ENDPOINT_URL_DYNAMODB=http:\/\/127\.0\.0\.1:\d+/);
      expect(stdout).toMatch(/e-mails received: http:\/\/127\.0\.0\.1:\d+\//);

      // Start a sandbox, so that there is more than DynamoDB Local to stop.
      const state = JSON.parse(readFileSync(join(dataDir, 'runner.json'), 'utf8')) as {
        endpoints: { sqs: string; dynamodb: string };
        outputs: Record<string, string>;
      };
      await clientsFor(state.endpoints).sqs.send(
        new SendMessageCommand({
          QueueUrl: state.outputs[jobOutputKey.queueUrl('send-email')],
          MessageBody: '{"to":"nobody"}',
        }),
      );
      await eventually(
        async () => (/\[send-email\].*Message rejected|\[send-email\].*dead-letter/i.test(stdout) ? true : undefined),
        30_000,
        'the bad message to be dead-lettered',
      );
      const pids = (JSON.parse(readFileSync(join(dataDir, 'runner.json'), 'utf8')) as { childPids: number[] })
        .childPids;
      expect(pids.length).toBeGreaterThanOrEqual(2);

      child.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(stdout).toContain('Stopped: every emulator and sandbox the runner started has exited.');
      for (const pid of pids) expect(isRunning(pid), `pid ${pid}`).toBe(false);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 120_000);

  // npm passes a signal on to its script; `exec` in the start script makes that the runner itself.
  it.each(['SIGTERM', 'SIGINT'] as const)(
    'refuses a second npm start on the same data folder, and stops ' + 'everything on a %s to the npm process alone',
    async (signal) => {
      const cdkOut = synthesizedApp();
      const dataDir = mkdtempSync(join(tmpdir(), 'sj-npm-'));
      const args = ['start', '--', '--no-synth', '--cdk-out', cdkOut, '--data-dir', dataDir, '--in-memory'];
      const ports = ['--sqs-port', '0', '--dynamodb-port', '0', '--ses-port', '0', '--dashboard-port', '0'];
      const env = { PATH: process.env.PATH, HOME: tmpdir(), npm_config_update_notifier: 'false' };
      const npm = spawn('npm', [...args, ...ports], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      npm.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      npm.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => npm.once('exit', resolve));
      let pids: number[] = [];
      try {
        await eventually(
          async () => (output.includes('Press Ctrl-C to stop.') ? true : undefined),
          60_000,
          `the ready line; output so far:\n${output}`,
        );
        const state = JSON.parse(readFileSync(join(dataDir, 'runner.json'), 'utf8')) as {
          pid: number;
          childPids: number[];
        };
        pids = [state.pid, ...state.childPids];

        const second = spawnSync('npm', [...args, ...ports], { cwd: ROOT, env, encoding: 'utf8', timeout: 60_000 });
        expect(second.status).not.toBe(0);
        expect(`${second.stdout}${second.stderr}`).toContain(`Another npm start (pid ${state.pid}) is running`);

        // As a process manager stops it: a signal to npm's own PID, not to its process group.
        npm.kill(signal);
        // Bounded, so that a runner that ignores the signal fails below and is killed in `finally`.
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 30_000))]);
        await eventually(
          async () => (pids.every((pid) => !isRunning(pid)) ? true : undefined),
          20_000,
          `every process of the stack to exit; output:\n${output}`,
        );
        expect(output).toContain('Stopped: every emulator and sandbox the runner started has exited.');
      } finally {
        if (npm.exitCode === null) npm.kill('SIGKILL');
        for (const pid of pids.filter(isRunning)) process.kill(pid, 'SIGKILL');
      }
    },
    150_000,
  );
});
