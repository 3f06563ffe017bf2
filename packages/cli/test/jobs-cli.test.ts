import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CliIo, runJobsCli, USAGE } from '@serverless-jobs/cli/commands';

interface Ran {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/** `jobs-cli <argv>` in this process, on an app folder of its own (no npm start runs there). */
async function jobsCli(argv: readonly string[], root = mkdtempSync(join(tmpdir(), 'sj-cli-'))): Promise<Ran> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (text) => void out.push(`${text}\n`), err: (text) => void err.push(text), errIsTty: false };
  const code = await runJobsCli(argv, io, { jobs: [], root });
  return { code, out: out.join(''), err: err.join('') };
}

/** The PID of a process that has exited, as a crashed npm start leaves in its runner.json. */
function deadPid(): number {
  const { pid } = spawnSync(process.execPath, ['-e', '']);
  return pid!;
}

describe('Function: runJobsCli', () => {
  it('prints the usage to stderr and exits 2 without a command; 0 with --help, on stdout', async () => {
    expect(await jobsCli([])).toEqual({ code: 2, out: '', err: `${USAGE}\n` });
    expect(await jobsCli(['--json'])).toMatchObject({ code: 2, out: '' });
    expect(await jobsCli(['--help'])).toEqual({ code: 0, out: `${USAGE}\n`, err: '' });
    expect(await jobsCli(['runs', '--help'])).toMatchObject({ code: 0, out: `${USAGE}\n` });
  });

  it('with --local and no runner.json, says in one line that no npm start runs there, and exits 3', async () => {
    const root = mkdtempSync(join(tmpdir(), 'sj-cli-'));
    expect(await jobsCli(['--local', 'health'], root)).toEqual({
      code: 3,
      out: '',
      err:
        `jobs-cli: No npm start is running in ${join(root, '.local')} (it has no runner.json); start one with ` +
        'npm start, or pass --aws instead of --local to reach the deployed stack\n',
    });
  });

  it('names the PID of the npm start that left a stale runner.json, and exits 3', async () => {
    const root = mkdtempSync(join(tmpdir(), 'sj-cli-'));
    const pid = deadPid();
    mkdirSync(join(root, 'data'));
    const state = { pid, stackName: 'ServerlessJobs-dev', endpoints: {}, outputs: {} };
    writeFileSync(join(root, 'data', 'runner.json'), JSON.stringify(state));
    expect(await jobsCli(['--local', '--data-dir', join(root, 'data'), 'list'], root)).toEqual({
      code: 3,
      out: '',
      err:
        `jobs-cli: No npm start is running in ${join(root, 'data')} (its runner.json is stale: the npm start ` +
        `that wrote it, PID ${pid}, is gone); start one with npm start, or pass --aws instead of --local to ` +
        'reach the deployed stack\n',
    });
  });
});
