import { spawn } from 'node:child_process';
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
});
