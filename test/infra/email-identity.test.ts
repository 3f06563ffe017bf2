import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { problemsOf } from '#test/infra/support/context-problems';
import { readAppConfig } from '#infra/config/app-config';
import { allJobs } from '#shared/jobs/registry';
import { withoutAws } from '#test/helpers/offline-synth';
import { resourcesOf } from '#test/infra/support/stage-resources';
import { synthJobsApp } from '#test/infra/support/synth-jobs-app';

const ROOT = resolve(import.meta.dirname, '../..');

/** The context `cdk synth` gives the app from this repository's cdk.json. */
const cdkJsonContext = (): Record<string, unknown> =>
  (JSON.parse(readFileSync(join(ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }).context;

/** Runs infra/app.ts as `cdk synth` does (cdk.json's context, then `-c`), without bundling or cdk-nag's cost. */
function synthApp(context: Record<string, unknown>): { status: number | null; stderr: string } {
  const outdir = mkdtempSync(join(tmpdir(), 'jobs-email-identity-'));
  try {
    const run = spawnSync(
      process.execPath,
      ['--conditions=@serverless-jobs/source', '--import', 'tsx', 'infra/app.ts'],
      {
        cwd: ROOT,
        env: {
          ...withoutAws(process.env),
          CDK_CONTEXT_JSON: JSON.stringify({ ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [], ...context }),
          CDK_OUTDIR: outdir,
        },
        encoding: 'utf8',
      },
    );
    return { status: run.status, stderr: run.stderr };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

describe('App: the SES sender and its identity', () => {
  it('cdk synth -c stage=prod fails naming emailFrom while cdk.json gives no sender, and passes with one', () => {
    const without = synthApp({ stage: 'prod' });
    expect(without.status).toBe(1);
    expect(without.stderr).toMatch(/Context "emailFrom" is required for a production stage/);
    expect(synthApp({ stage: 'prod', emailFrom: 'jobs@mail.example.org' })).toMatchObject({ status: 0 });
  }, 60_000);

  it('gives a dev stage a placeholder sender, and a production stage none', () => {
    expect(readAppConfig({ stage: 'dev' }, allJobs).emailFrom).toBe('jobs@example.com');
    expect(problemsOf(() => readAppConfig({ stage: 'live', production: 'true' }, allJobs))).toEqual([
      'Context "emailFrom" is required for a production stage ("live"): the SES sender of send-email, ' +
        'e.g. -c emailFrom=jobs@yourdomain.com',
    ]);
  });

  it('creates a domain identity with Easy DKIM when asked, and outputs the three CNAME records DNS needs', () => {
    const { template } = synthJobsApp({ stage: 'prod', emailFrom: 'jobs@mail.example.org', emailIdentity: 'domain' });
    const identities = Object.values(resourcesOf(template)).filter((r) => r.Type === 'AWS::SES::EmailIdentity');
    expect(identities).toHaveLength(1);
    expect(identities[0]!.Properties).toMatchObject({ EmailIdentity: 'mail.example.org' });
    expect(identities[0]!.DeletionPolicy ?? 'Delete').toBe('Delete');
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(Object.keys(outputs).filter((key) => key.startsWith('EmailDkimRecord'))).toEqual([
      'EmailDkimRecord1',
      'EmailDkimRecord2',
      'EmailDkimRecord3',
    ]);
    expect(JSON.stringify(outputs.EmailDkimRecord1!.Value)).toContain('DkimDNSTokenName1');
    expect(JSON.stringify(outputs.EmailDkimRecord1!.Value)).toContain(' CNAME ');
  });

  it('creates an address identity when asked, and none by default (an identity that exists already)', () => {
    const address = synthJobsApp({ stage: 'prod', emailFrom: 'jobs@example.org', emailIdentity: 'address' });
    address.template.hasResourceProperties('AWS::SES::EmailIdentity', { EmailIdentity: 'jobs@example.org' });
    const existing = synthJobsApp({ stage: 'prod', emailFrom: 'jobs@example.org' });
    existing.template.resourceCountIs('AWS::SES::EmailIdentity', 0);
  });

  it('refuses an unknown emailIdentity, and one without an explicit sender, quoting each', () => {
    expect(problemsOf(() => readAppConfig({ emailFrom: 'a@example.org', emailIdentity: 'dns' }, allJobs))).toEqual([
      expect.stringMatching(/^Context "emailIdentity" = "dns": expected existing, domain or address/),
    ]);
    expect(problemsOf(() => readAppConfig({ emailIdentity: 'domain' }, allJobs))).toEqual([
      expect.stringMatching(/^Context "emailIdentity" = "domain": .*needs -c emailFrom/),
    ]);
  });
});
