import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// Proves that the import boundaries in .dependency-cruiser.cjs bite. A probe is a temporary module that breaks one
// rule, written into the folder the rule guards; dependency-cruiser runs on it with the repo's config and must exit
// non-zero naming the rule and the probe. The three central boundaries (no app in a package, no CDK in the runtime,
// no local in the CLI) are each cruised alone; the other rules' probes share one run, since each depcruise process
// spends about 1.5 s of CPU just loading.
// Probes are .mts files: TypeScript only, but outside every tsconfig's `**/*.ts` include, so the packages' builds
// (`npm pack` in test/adoption, running beside this file) and `tsc --noEmit` never compile one while it exists.

const ROOT = join(import.meta.dirname, '..', '..');
const DEPCRUISE = join(ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
const CONFIG = join(ROOT, '.dependency-cruiser.cjs');
const RUN_ID = randomUUID().slice(0, 8);
const written = new Set<string>();

interface CruiseResult {
  code: number;
  output: string;
}

interface Probe {
  title: string;
  folder: string;
  source: string;
  rule: string;
}

// More depcruise processes at once than cores only thrash. About 9 s for the file on an idle 2-core machine; the
// timeout leaves room for a machine shared with a benchmark (a test's time includes its wait for a free run).
const TIMEOUT_MS = 90_000;
const MAX_RUNS = Math.max(1, Math.min(4, availableParallelism()));
let running = 0;
const waiting: (() => void)[] = [];

/** Runs the depcruise CLI with the repo's config; `maxDepth` limits how far it follows from the targets. */
async function depcruise(targets: string[], maxDepth?: number): Promise<CruiseResult> {
  const args = [DEPCRUISE, ...targets, '--config', CONFIG, '--output-type', 'err', '--no-progress'];
  if (maxDepth !== undefined) args.push('--max-depth', String(maxDepth));
  if (running >= MAX_RUNS) await new Promise<void>((resolve) => waiting.push(resolve));
  running += 1;
  try {
    return await new Promise((resolve) => {
      execFile(process.execPath, args, { cwd: ROOT, timeout: 60_000 }, (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, output: `${stdout}${stderr}` });
      });
    });
  } finally {
    running -= 1;
    waiting.shift()?.();
  }
}

/** A temporary module named `name` in `folder` (relative to the repo root); returns its repo-relative path. */
function writeFixed(folder: string, name: string, source: string): string {
  const file = join(ROOT, folder, name);
  written.add(file);
  writeFileSync(file, source);
  return relative(ROOT, file);
}

/** A temporary module with a unique name in `folder`. */
function writeProbe(folder: string, source: string): string {
  return writeFixed(folder, `__boundary-probe-${RUN_ID}-${randomUUID().slice(0, 8)}.mts`, source);
}

function removeProbe(file: string): void {
  const absolute = join(ROOT, file);
  rmSync(absolute, { force: true });
  written.delete(absolute);
}

/** The line of depcruise's `err` output that reports `rule` on an import of `file`. */
function violation(rule: string, file: string): RegExp {
  return new RegExp(`error ${rule}: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} → `);
}

afterAll(() => {
  for (const file of written) rmSync(file, { force: true });
});

describe('Import boundaries: the current tree', { timeout: TIMEOUT_MS }, () => {
  it('passes .dependency-cruiser.cjs (as npm run lint:deps does)', async () => {
    const result = await depcruise(['packages', 'infra', 'functions', 'shared', 'test', 'bench', 'scripts', 'bin']);
    expect(result.output).toContain('no dependency violations found');
    expect(result.code).toBe(0);
  });
});

describe.concurrent('Import boundaries: a probe that breaks a rule fails the check', { timeout: TIMEOUT_MS }, () => {
  const alone: Probe[] = [
    {
      title: 'a package file imports the app through the #shared/* alias',
      folder: 'packages/runtime/src',
      source: "import '#shared/jobs/registry';\n",
      rule: 'packages-no-app',
    },
    {
      title: 'packages/runtime imports aws-cdk-lib',
      folder: 'packages/runtime/src',
      source: "import { App } from 'aws-cdk-lib';\n\nexport const app = new App();\n",
      rule: 'runtime-no-build-or-local-deps',
    },
    {
      title: 'packages/cli imports @serverless-jobs/local/runner (resolved through the workspace symlink)',
      folder: 'packages/cli/src',
      source: "import '@serverless-jobs/local/runner';\n",
      rule: 'cli-no-local',
    },
  ];

  for (const { title, folder, source, rule } of alone) {
    it(`${title}: ${rule}`, async () => {
      const file = writeProbe(folder, source);
      try {
        // Depth 1: the probe's own imports are what the rule is about; following them would only cost time.
        const result = await depcruise([file], 1);
        expect(result.code, result.output).not.toBe(0);
        expect(result.output).toMatch(violation(rule, file));
      } finally {
        removeProbe(file);
      }
    });
  }

  const together: Probe[] = [
    {
      title: 'a package file imports the app by relative path',
      folder: 'packages/local/src',
      source: "import '../../../shared/jobs/registry.ts';\n",
      rule: 'packages-no-app',
    },
    {
      title: 'packages/runtime imports another package',
      folder: 'packages/runtime/src',
      source: "import '@serverless-jobs/cdk';\n",
      rule: 'runtime-no-other-packages',
    },
    {
      title: 'packages/cli imports aws-cdk-lib, if only for a type',
      folder: 'packages/cli/src',
      source: "import type { Stack } from 'aws-cdk-lib';\n\nexport type Probe = Stack;\n",
      rule: 'cli-no-cdk',
    },
    {
      title: 'packages/cdk imports @serverless-jobs/cli',
      folder: 'packages/cdk/src',
      source: "import '@serverless-jobs/cli/ops';\n",
      rule: 'cdk-no-local-or-cli',
    },
    {
      title: 'packages/local imports @serverless-jobs/cdk',
      folder: 'packages/local/src',
      source: "import '@serverless-jobs/cdk/constructs';\n",
      rule: 'local-no-cdk',
    },
    {
      title: 'packages/local imports packages/cli by path instead of its public entry point',
      folder: 'packages/local/src',
      source: "import '../../cli/src/ops/index.ts';\n",
      rule: 'packages-only-by-package-name',
    },
    {
      title: 'the app imports a package by relative path',
      folder: 'shared',
      source: "import '../packages/runtime/src/index.ts';\n",
      rule: 'app-uses-package-names',
    },
  ];

  it(
    `the other rules, one probe each, cruised together: ${together.map((p) => p.rule).join(', ')}, ` +
      `packages-no-circular`,
    async () => {
      const files = together.map((probe) => writeProbe(probe.folder, probe.source));
      const base = `__boundary-probe-${RUN_ID}-${randomUUID().slice(0, 8)}`;
      const cycle = [
        writeFixed(
          'packages/runtime/src',
          `${base}-a.mts`,
          `import { b } from './${base}-b.mts';\nexport const a = () => b;\n`,
        ),
        writeFixed(
          'packages/runtime/src',
          `${base}-b.mts`,
          `import { a } from './${base}-a.mts';\nexport const b = () => a;\n`,
        ),
      ];
      try {
        // Depth 2: enough to close the two-module cycle.
        const result = await depcruise([...files, cycle[0]!], 2);
        expect(result.code, result.output).not.toBe(0);
        together.forEach((probe, i) => {
          expect(result.output, probe.title).toMatch(violation(probe.rule, files[i]!));
        });
        expect(result.output).toMatch(violation('packages-no-circular', cycle[0]!));
      } finally {
        for (const file of [...files, ...cycle]) removeProbe(file);
      }
    },
  );

  it('the allowed form passes: packages/local imports @serverless-jobs/cli/ops by its package name', async () => {
    const file = writeProbe('packages/local/src', "import '@serverless-jobs/cli/ops';\n");
    try {
      const result = await depcruise([file], 1);
      expect(result.output).toContain('no dependency violations found');
      expect(result.code).toBe(0);
    } finally {
      removeProbe(file);
    }
  });
});
