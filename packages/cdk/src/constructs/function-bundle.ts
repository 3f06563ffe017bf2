import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ILocalBundling } from 'aws-cdk-lib';
import { buildSync } from 'esbuild';
import { FUNCTION_BUNDLE_VARIABLE } from '@serverless-jobs/runtime/contracts';

/** The export conditions this process resolves packages with (`node --conditions=NAME`, also in NODE_OPTIONS). */
export function processConditions(): string[] {
  const args = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  const conditions: string[] = [];
  args.forEach((arg, index) => {
    const inline = /^(?:--conditions|-C)=(.+)$/.exec(arg);
    if (inline?.[1]) conditions.push(inline[1]);
    else if ((arg === '--conditions' || arg === '-C') && args[index + 1]) conditions.push(args[index + 1]!);
  });
  return conditions;
}

/** The file Lambda loads (`index.handler`); the local runner looks for the same name in the asset. */
export const BUNDLE_ENTRY = 'index';

/**
 * ESM output: CommonJS dependencies inside the bundle still call require(), which an ES module lacks. Only the files
 * that name it get it: the others load without importing `module` and making a require of their own, which was
 * 0.008–0.025 of the floor's load time for fulfil-order (its 13 files at init; 40 rounds each, two scratch runs).
 */
export const REQUIRE_PREAMBLE =
  "import { createRequire } from 'module';const require = createRequire(import.meta.url);\n";
const NAMES_REQUIRE = /\brequire\b/;

/**
 * Bundles one function with esbuild's JS API, in the synth process, as ESM with code splitting: what the
 * code loads with `await import()` (the SQS adapter, and the SDK's own credential providers and nested
 * clients) becomes a chunk that is read on first use, not at cold start. NodejsFunction cannot split
 * (it builds with `--outfile`), and runs the esbuild CLI once per function. Every bundle has
 * FUNCTION_BUNDLE_VARIABLE compiled in, so the declaration checks that the synth made stay out of it.
 */
export class FunctionBundle implements ILocalBundling {
  /**
   * @param entry absolute path of the function's handler file
   * @param inlined variables compiled into the bundle: each `process.env.NAME` in the code becomes the value
   */
  constructor(
    readonly entry: string,
    readonly inlined: Readonly<Record<string, string>> = {},
    readonly conditions: readonly string[] = processConditions(),
  ) {}

  tryBundle(outputDir: string): boolean {
    const { outputFiles } = buildSync({
      entryPoints: { [BUNDLE_ENTRY]: this.entry },
      outdir: outputDir,
      outExtension: { '.js': '.mjs' },
      chunkNames: 'chunks/[name]-[hash]',
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      mainFields: ['module', 'main'],
      // esbuild drops its default `module` condition once any is given; the SDK's ESM builds need it.
      conditions: [...this.conditions, 'module'],
      minify: true,
      sourcemap: false,
      logLevel: 'warning',
      define: Object.fromEntries(
        Object.entries({ ...this.inlined, [FUNCTION_BUNDLE_VARIABLE]: 'true' }).map(([name, value]) => [
          `process.env.${name}`,
          JSON.stringify(value),
        ]),
      ),
      write: false,
      // No externals: the SDK is bundled, so its version is pinned by the lockfile, not by the runtime.
    });
    for (const file of outputFiles) {
      mkdirSync(dirname(file.path), { recursive: true });
      writeFileSync(file.path, NAMES_REQUIRE.test(file.text) ? REQUIRE_PREAMBLE + file.text : file.contents);
    }
    return true;
  }
}
