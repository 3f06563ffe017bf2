import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isStale } from '#infra/local/cloud-assembly';

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
});
