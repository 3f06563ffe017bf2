import { execFileSync, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const canIsolateNetwork = spawnSync('unshare', ['-n', 'true']).status === 0;

/** The environment of a user with no AWS account: no credentials, no profile, no region. */
function offlineEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, CDK_DISABLE_VERSION_CHECK: '1' };
  for (const name of Object.keys(env)) if (name.startsWith('AWS_')) delete env[name];
  return env;
}

describe('CLI: cdk synth', () => {
  // One real synth: bundles every function with the local esbuild, runs the Aspect and cdk-nag.
  const outdir = mkdtempSync(join(tmpdir(), 'cdk-out-'));
  const command = ['npx', 'cdk', 'synth', '--quiet', '--output', outdir];
  // Without a network namespace the test still runs, but can only show that no credentials are needed.
  const [bin, ...args] = canIsolateNetwork ? ['unshare', '-n', ...command] : command;
  let result: SpawnSyncReturns<string>;
  beforeAll(() => {
    result = spawnSync(bin!, args, { env: offlineEnv(), encoding: 'utf8', timeout: 170_000 });
  }, 180_000);

  it('succeeds with no AWS credentials and no network', () => {
    expect(result.stderr + result.stdout).not.toMatch(/AwsSolutions-\S+.*Error|Found errors/);
    expect(result.status, result.stderr).toBe(0);
  });

  it('writes one minified bundle per job, each of which loads on this Node version', () => {
    const assets = readdirSync(outdir).filter((name) => name.startsWith('asset.') && statSync(join(outdir, name)).isDirectory());
    const bundles = assets.map((asset) => join(outdir, asset, 'index.mjs')).filter((path) => {
      try {
        return statSync(path).isFile();
      } catch {
        return false;
      }
    });
    expect(bundles).toHaveLength(6);
    for (const bundle of bundles) {
      const source = readFileSync(bundle, 'utf8');
      const lines = source.split('\n');
      // Minified: a few very long lines (template strings keep their line breaks); unminified code averages ~40 characters.
      expect(source.length / lines.length, bundle).toBeGreaterThan(2000);
      const probe = `import(${JSON.stringify(bundle)}).then((m) => { if (typeof m.handler !== 'function') process.exit(3); })`;
      const env = { ...offlineEnv(), AWS_REGION: 'us-east-1', LEDGER_TABLE: 't', JOB_QUEUE_URL: 'q', JOB_DLQ_URL: 'd', EMAIL_FROM: 'a@example.com', TABLE_ORDERS: 'o', TABLE_CUSTOMERS: 'c', TABLE_AUDIT_LOG: 'a', TABLE_REPORTS: 'r' };
      expect(() => execFileSync(process.execPath, ['--input-type=module', '-e', probe], { env, stdio: 'pipe' }), bundle).not.toThrow();
    }
  }, 60_000);
});
