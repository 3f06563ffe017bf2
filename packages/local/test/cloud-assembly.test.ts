import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isStale } from '@serverless-jobs/local/runner';

describe('Function: isStale', () => {
  it('asks for a synth when cdk.out is missing, or older than a declaration, and not otherwise', () => {
    const root = mkdtempSync(join(tmpdir(), 'sj-stale-'));
    mkdirSync(join(root, 'shared/jobs'), { recursive: true });
    mkdirSync(join(root, 'cdk.out'));
    const declaration = join(root, 'shared/jobs/send-email.ts');
    writeFileSync(declaration, 'batchSize: 10');
    const old = new Date(Date.now() - 60_000);
    utimesSync(declaration, old, old);
    utimesSync(join(root, 'shared/jobs'), old, old);
    utimesSync(join(root, 'shared'), old, old);
    expect(isStale(join(root, 'cdk.out'), root)).toBe(true);
    writeFileSync(join(root, 'cdk.out/manifest.json'), '{}');
    const synthAt = new Date(Date.now() - 30_000);
    utimesSync(join(root, 'cdk.out/manifest.json'), synthAt, synthAt);
    expect(isStale(join(root, 'cdk.out'), root)).toBe(false);
    writeFileSync(declaration, 'batchSize: 5');
    expect(isStale(join(root, 'cdk.out'), root)).toBe(true);
  });

  it("follows an app's layout: cdk.json's watch.include, or every entry but node_modules and dot-folders", () => {
    const root = mkdtempSync(join(tmpdir(), 'sj-stale-'));
    const old = new Date(Date.now() - 60_000);
    for (const dir of ['src/handlers', 'node_modules/x', '.local', 'cdk.out']) {
      mkdirSync(join(root, dir), { recursive: true });
    }
    for (const file of ['src/handlers/visit.mjs', 'src', 'src/handlers', 'node_modules/x', 'node_modules', '.local']) {
      if (file.endsWith('.mjs')) writeFileSync(join(root, file), 'v1');
      utimesSync(join(root, file), old, old);
    }
    writeFileSync(join(root, 'cdk.out/manifest.json'), '{}');
    const synthAt = new Date(Date.now() - 30_000);
    utimesSync(join(root, 'cdk.out/manifest.json'), synthAt, synthAt);
    expect(isStale(join(root, 'cdk.out'), root)).toBe(false);
    writeFileSync(join(root, 'node_modules/x/cache.json'), '{}');
    writeFileSync(join(root, '.local/runner.json'), '{}');
    expect(isStale(join(root, 'cdk.out'), root)).toBe(false);
    writeFileSync(join(root, 'src/handlers/visit.mjs'), 'v2');
    expect(isStale(join(root, 'cdk.out'), root)).toBe(true);
    // With a watch.include, only what it names counts (cdk.json itself always does).
    writeFileSync(join(root, 'cdk.json'), JSON.stringify({ watch: { include: ['lib/*/jobs/**'] } }));
    mkdirSync(join(root, 'lib/visits/jobs'), { recursive: true });
    utimesSync(join(root, 'cdk.json'), old, old);
    for (const dir of ['lib/visits/jobs', 'lib/visits', 'lib']) utimesSync(join(root, dir), old, old);
    expect(isStale(join(root, 'cdk.out'), root)).toBe(false);
    writeFileSync(join(root, 'lib/visits/jobs/visit.mjs'), 'v1');
    expect(isStale(join(root, 'cdk.out'), root)).toBe(true);
  });
});
