import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, inject, it } from 'vitest';
import { REQUIRE_PREAMBLE } from '@serverless-jobs/cdk/constructs';
import { staticClosure } from '#bench/sections/cold-start';
import { withoutAws } from '#test/helpers/offline-synth';
import { allJobs } from '#shared/jobs/registry';

describe('CLI: cdk synth (run once by the test setup)', () => {
  const synth = inject('synth');

  it('succeeds with no AWS credentials and, in a network namespace, no network', () => {
    expect(synth.output).not.toMatch(/AwsSolutions-\S+|Found errors/);
    expect(synth.status, synth.output).toBe(0);
    // CI machines are root and can make a namespace; a machine that cannot still proves the no-credentials half.
    if (process.env.CI) expect(synth.offline).toBe(true);
  });

  it('writes one minified, code-split bundle per job, whose entry and every chunk load on this Node ' +
    'version', async () => {
    const bundles = readdirSync(synth.outdir)
      .filter((name) => name.startsWith('asset.'))
      .map((asset) => join(synth.outdir, asset, 'index.mjs'))
      .filter((path) => statSync(path, { throwIfNoEntry: false })?.isFile());
    expect(bundles).toHaveLength(allJobs.length);
    for (const bundle of bundles) {
      const source = readFileSync(bundle, 'utf8');
      // Minified: a few very long lines (template strings keep their line breaks); unminified code
      // averages ~40 characters.
      expect(source.length / source.split('\n').length, bundle).toBeGreaterThan(2000);
      // The chunks that load on first use (the SQS adapter, the SDK's credential providers) must load here too.
      const chunksDir = join(dirname(bundle), 'chunks');
      const chunks = readdirSync(chunksDir).map((name) => join(chunksDir, name));
      expect(chunks.length, bundle).toBeGreaterThan(0);
      // A file gets a require() of its own only if its code names one: the CommonJS parts of the SDK need it.
      for (const file of [bundle, ...chunks]) {
        const text = readFileSync(file, 'utf8');
        const given = text.startsWith(REQUIRE_PREAMBLE);
        expect(/\brequire\b/.test(given ? text.slice(REQUIRE_PREAMBLE.length) : text), file).toBe(given);
      }
      const probe =
        `import(${JSON.stringify(bundle)}).then(async (m) => { if (typeof m.handler !== ` +
        `'function') process.exit(3); await Promise.all(${JSON.stringify(chunks)}.map((c) => import(c))); })`;
      const env = {
        ...withoutAws(process.env),
        AWS_REGION: 'us-east-1',
        LEDGER_TABLE: 't',
        JOB_QUEUE_URL: 'q',
        JOB_DLQ_URL: 'd',
        EMAIL_FROM: 'a@example.com',
        TABLE_ORDERS: 'o',
        TABLE_CUSTOMERS: 'c',
        TABLE_AUDIT_LOG: 'a',
        TABLE_REPORTS: 'r',
      };
      await expect(
        promisify(execFile)(process.execPath, ['--input-type=module', '-e', probe], { env }),
        bundle,
      ).resolves.toBeDefined();
    }
  }, 60_000);

  it("compiles the watched schedules into the watchdog's bundle, not its environment", () => {
    const template = readdirSync(synth.outdir).find((name) => name.endsWith('.template.json'))!;
    const resources = (
      JSON.parse(readFileSync(join(synth.outdir, template), 'utf8')) as { Resources: Record<string, Resource> }
    ).Resources;
    const watchdog = Object.values(resources).find(
      (r) => r.Type === 'AWS::Lambda::Function' && String(r.Metadata?.['aws:cdk:path']).includes('/schedule-watchdog/'),
    )!;
    expect(watchdog.Properties.Environment?.Variables.WATCHED_SCHEDULES).toBeUndefined();
    const source = readFileSync(join(synth.outdir, String(watchdog.Metadata?.['aws:asset:path']), 'index.mjs'), 'utf8');
    for (const expected of [
      '"job":"cleanup","schedule":"daily","expression":"cron(0 2 * * ? *)"',
      '"job":"monthly-report","schedule":"monthly"',
    ]) {
      expect(source).toContain(expected);
    }
  });

  it("leaves the declaration checks out of every function's bundle: the synth made them", () => {
    for (const asset of readdirSync(synth.outdir).filter((name) => name.startsWith('asset.'))) {
      const dir = join(synth.outdir, asset);
      const files = [join(dir, 'index.mjs'), ...readdirSync(join(dir, 'chunks')).map((c) => join(dir, 'chunks', c))];
      const code = files.map((file) => readFileSync(file, 'utf8')).join('\n');
      // One of validateDeclaration's messages.
      expect(code, asset).not.toContain('needs a batchingWindowSeconds of at least 1');
    }
  });

  it('loads croner at no init, and only the watchdog carries it, in a chunk of its first run', () => {
    const assets = readdirSync(synth.outdir).filter((name) => name.startsWith('asset.'));
    const withCroner = assets.filter((asset) => {
      const dir = join(synth.outdir, asset);
      const init = staticClosure(join(dir, 'index.mjs')).map((file) => readFileSync(file, 'utf8'));
      expect(init.join('\n'), asset).not.toContain('CronPattern: ');
      const chunks = readdirSync(join(dir, 'chunks')).map((c) => readFileSync(join(dir, 'chunks', c), 'utf8'));
      return chunks.join('\n').includes('CronPattern: ');
    });
    expect(withCroner).toHaveLength(1);
  });

  it('loads the SQS client at no init: the SQS adapter is a chunk of its first use', () => {
    for (const asset of readdirSync(synth.outdir).filter((name) => name.startsWith('asset.'))) {
      const init = staticClosure(join(synth.outdir, asset, 'index.mjs'));
      // An option of the SQS client's own (@aws-sdk/middleware-sdk-sqs).
      const withSqs = init.filter((file) => readFileSync(file, 'utf8').includes('useQueueUrlAsEndpoint'));
      expect(withSqs, asset).toEqual([]);
    }
  });

  it('bundles into each function its own declaration and those of the jobs it enqueues, never the registry', () => {
    const template = readdirSync(synth.outdir).find((name) => name.endsWith('.template.json'))!;
    const resources = Object.values(
      (JSON.parse(readFileSync(join(synth.outdir, template), 'utf8')) as { Resources: Record<string, Resource> })
        .Resources,
    );
    for (const job of allJobs) {
      const fn = resources.find(
        (r) => r.Type === 'AWS::Lambda::Function' && String(r.Metadata?.['aws:cdk:path']).includes(`/${job.name}/`),
      )!;
      const asset = join(synth.outdir, String(fn.Metadata?.['aws:asset:path']));
      const code = [
        join(asset, 'index.mjs'),
        ...readdirSync(join(asset, 'chunks')).map((c) => join(asset, 'chunks', c)),
      ]
        .map((file) => readFileSync(file, 'utf8'))
        .join('\n');
      // A declaration's description is in the bundle exactly when its declaration is.
      const carried = allJobs.filter((other) => code.includes(JSON.stringify(other.description).slice(1, -1)));
      // The watchdog sends through its own queue client, so it carries none of the jobs it enqueues.
      const allowed = [job.name, ...job.resources.enqueueTargets.map((target) => target.name)];
      const names = carried.map((other) => other.name);
      expect(names, job.name).toContain(job.name);
      expect(
        names.filter((name) => !allowed.includes(name)),
        job.name,
      ).toEqual([]);
    }
  });
});

interface Resource {
  readonly Type: string;
  readonly Metadata?: Record<string, unknown>;
  readonly Properties: { readonly Environment?: { readonly Variables: Record<string, unknown> } };
}
