import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export interface SynthResult {
  readonly outdir: string;
  readonly status: number | null;
  readonly output: string;
  /** Whether it ran in a network namespace of its own, i.e. provably offline. */
  readonly offline: boolean;
  readonly seconds: number;
}

const ROOT = resolve(import.meta.dirname, '../..');

/** The environment of a user with no AWS account: no credentials, no profile, no region. */
export function withoutAws(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const clean: NodeJS.ProcessEnv = { ...env, CDK_DISABLE_VERSION_CHECK: '1' };
  for (const name of Object.keys(clean)) if (name.startsWith('AWS_')) delete clean[name];
  return clean;
}

/**
 * One real `cdk synth` for the whole test run: the bundles of every function, the Aspect and cdk-nag.
 * Where the machine allows it, it runs in a network namespace with no network at all.
 */
export function offlineSynth(): Promise<SynthResult> {
  const outdir = mkdtempSync(join(tmpdir(), 'sj-cdk-out-'));
  const offline = spawnSync('unshare', ['-n', 'true']).status === 0;
  const command = ['npx', 'cdk', 'synth', '--quiet', '--output', outdir];
  const [bin, ...args] = offline ? ['unshare', '-n', ...command] : command;
  const began = Date.now();
  return new Promise((done) => {
    const child = spawn(bin!, args, { cwd: ROOT, env: withoutAws(process.env), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (status) => done({ outdir, status, output, offline, seconds: (Date.now() - began) / 1000 }));
  });
}
