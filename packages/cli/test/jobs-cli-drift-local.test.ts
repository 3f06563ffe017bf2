import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliIo, runJobsCli } from '@serverless-jobs/cli/commands';
import { jobOutputKey } from '@serverless-jobs/runtime/contracts';
import { defineJob } from '@serverless-jobs/runtime/jobs';
import * as z from '@serverless-jobs/runtime/zod';

const nightly = defineJob({
  name: 'nightly',
  description: 'Runs at night.',
  payload: z.object({}),
  schedules: [{ name: 'daily', expression: 'cron(0 2 * * ? *)', payload: {} }],
});

/** `GET /api/schedules` of an npm start whose nightly/daily was changed from the dashboard, then paused. */
const ROWS = [
  { job: 'nightly', schedule: 'daily', expression: 'cron(30 4 * * ? *)', timeZone: 'UTC', state: 'DISABLED' },
];

describe('Command: jobs-cli drift --local (npm start control API)', () => {
  let server: Server;
  let root: string;

  beforeAll(async () => {
    server = createServer((request, response) => {
      const found = request.method === 'GET' && request.url === '/api/schedules';
      response
        .writeHead(found ? 200 : 404, { 'content-type': 'application/json' })
        .end(found ? JSON.stringify(ROWS) : '{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    root = mkdtempSync(join(tmpdir(), 'sj-drift-local-'));
    mkdirSync(join(root, '.local'));
    // This process stands in for the running npm start: runner.json needs a live PID.
    const state = {
      pid: process.pid,
      stackName: 'ServerlessJobs-dev',
      endpoints: { sqs: url, dynamodb: url },
      outputs: { [jobOutputKey.schedule('nightly', 'daily')]: 'local-nightly-daily' },
      dashboard: { url, token: 'token' },
    };
    writeFileSync(join(root, '.local', 'runner.json'), JSON.stringify(state));
    writeFileSync(join(root, 'cdk.json'), JSON.stringify({ context: { 'schedule.nightly': 'cron(30 4 * * ? *)' } }));
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('reports a change made under npm start against cdk.json, and what a restart does with it', async () => {
    const out: string[] = [];
    const io: CliIo = { out: (text) => void out.push(text), err: () => {}, errIsTty: false };
    const code = await runJobsCli(['--local', 'drift', '--json'], io, { jobs: [nightly], root });
    expect(code).toBe(1);
    const report: unknown = JSON.parse(out.join('\n'));
    expect(report).toMatchObject({
      target: 'local',
      drifted: 1,
      schedules: [
        {
          job: 'nightly',
          declared: { expression: 'cron(30 4 * * ? *)', timeZone: 'UTC', state: 'ENABLED' },
          contextKeys: ['schedule.nightly'],
          live: { expression: 'cron(30 4 * * ? *)', state: 'DISABLED' },
          drift: ['state'],
          nextDeploy: 'unknown',
          restore: ['npx jobs-cli resume nightly'],
          notes: expect.arrayContaining([expect.stringContaining('Under npm start, a restart keeps it')]),
        },
      ],
    });
  });
});
