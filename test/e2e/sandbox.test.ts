import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { LocalFunction } from '@serverless-jobs/local/runner';
import { roleLessIdentity, Sandbox } from '@serverless-jobs/local/runner';

/** A bundle folder whose index.mjs imports `./helper.<extension>`, which exports a typed constant. */
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function bundleImporting(extension: 'mjs' | 'ts'): LocalFunction {
  const dir = mkdtempSync(join(tmpdir(), 'sj-sandbox-'));
  dirs.push(dir);
  // An enum needs a TypeScript transform: tsx runs it, plain node does not (nor does Node's own type stripping).
  writeFileSync(
    join(dir, `helper.${extension}`),
    extension === 'ts'
      ? 'enum Answer { Value = 42 }\nexport const answer: number = Answer.Value;\n'
      : 'export const answer = 42;\n',
  );
  writeFileSync(
    join(dir, 'index.mjs'),
    `import { answer } from './helper.${extension}';\nexport const handler = async () => ({ answer });\n`,
  );
  return {
    logicalId: 'Fn',
    name: 'fake-fn',
    label: 'fake',
    bundleDir: dir,
    handler: 'index.handler',
    timeoutSeconds: 5,
    memoryMb: 128,
    environment: {},
    identity: roleLessIdentity('Fn', 'fake-fn'),
  };
}

describe('Class: Sandbox (a real child process)', () => {
  it('runs a JavaScript bundle and returns its result', async () => {
    const sandbox = await Sandbox.start(bundleImporting('mjs'), { PATH: process.env.PATH }, () => {});
    try {
      expect(await sandbox.invoke({}, 5_000)).toEqual({ kind: 'ok', result: { answer: 42 } });
    } finally {
      await sandbox.stop();
    }
  });

  it("runs on Lambda's Node, 24: its own process and a `node` it spawns from its PATH", async () => {
    const fn = bundleImporting('mjs');
    writeFileSync(
      join(fn.bundleDir, 'index.mjs'),
      "import { execFileSync } from 'node:child_process';\n" +
        'export const handler = async () => ({ own: process.version, ' +
        "onPath: execFileSync('node', ['--version'], { encoding: 'utf8' }).trim() });\n",
    );
    const sandbox = await Sandbox.start(fn, { PATH: process.env.PATH }, () => {});
    try {
      expect(await sandbox.invoke({}, 5_000)).toEqual({
        kind: 'ok',
        result: { own: expect.stringMatching(/^v24\./), onPath: expect.stringMatching(/^v24\./) },
      });
    } finally {
      await sandbox.stop();
    }
  });

  it('hands each invocation a trace header of its own in _X_AMZN_TRACE_ID, as Lambda does', async () => {
    const fn = bundleImporting('mjs');
    writeFileSync(
      join(fn.bundleDir, 'index.mjs'),
      'export const handler = async () => ({ trace: process.env._X_AMZN_TRACE_ID });\n',
    );
    const sandbox = await Sandbox.start(fn, { PATH: process.env.PATH }, () => {});
    const traceOf = async (header?: string): Promise<string> => {
      const answer = await sandbox.invoke({}, 5_000, ...(header ? [header] : []));
      return answer.kind === 'ok' ? (answer.result as { trace: string }).trace : `failed: ${answer.kind}`;
    };
    try {
      const [first, second] = [await traceOf(), await traceOf()];
      expect(first).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$/);
      expect(second).toMatch(/^Root=1-/);
      expect(second).not.toBe(first);
      const given = 'Root=1-6650f3a2-0123456789abcdef01234567;Parent=53995c3f42cd8ad8;Sampled=1';
      expect(await traceOf(given)).toBe(given);
    } finally {
      await sandbox.stop();
    }
  });

  it(
    'loads no TypeScript loader, as Lambda does not: a bundle that imports TypeScript needing a ' +
      'transform fails to start',
    async () => {
      // Under tsx this bundle ran locally; Lambda's node runs no TypeScript transform.
      await expect(Sandbox.start(bundleImporting('ts'), { PATH: process.env.PATH }, () => {})).rejects.toThrow(
        /exited with code 1 before it was ready/,
      );
    },
  );
});
