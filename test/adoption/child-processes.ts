import { type ChildProcess, spawn } from 'node:child_process';

export interface Finished {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** What the npm that runs a script passes on, which would point a child npm back at this repository. */
const KEEP_NPM = new Set(['npm_config_cache', 'npm_config_registry', 'npm_config_userconfig']);

/**
 * The environment of an app outside this repository: no `--conditions=@serverless-jobs/source` (NODE_OPTIONS),
 * no emulator endpoints or Powertools settings of the test setup, no npm variables of the running `npm test`;
 * and the CDK CLI offline.
 */
export function outsideEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    const npm = key.startsWith('npm_') && !KEEP_NPM.has(key);
    const test = key.startsWith('AWS_') || key.startsWith('POWERTOOLS_') || key.startsWith('VITEST');
    if (!npm && !test && key !== 'NODE_OPTIONS' && key !== 'INIT_CWD') env[key] = value;
  }
  return { ...env, CDK_DISABLE_VERSION_CHECK: '1', NO_COLOR: '1' };
}

/** The processes this file started, by PID, for the cleanup after a failure. */
export const started = new Set<ChildProcess>();

/** Runs a command to its end with the outside environment; its output is kept, never inherited. */
export function run(command: string, args: readonly string[], cwd: string): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: outsideEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    started.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => {
      started.delete(child);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The last lines of a command's output, for an assertion's message. */
export const tail = (result: Finished, lines = 40): string =>
  `exit ${result.code}\n${`${result.stdout}\n${result.stderr}`.trim().split('\n').slice(-lines).join('\n')}`;

/** Ends a process and what it listed as its children, by PID, with SIGKILL: the cleanup after a failed test. */
export function killAll(pids: readonly number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
