import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';

/** Compiled (dist/*.js), an entry is plain JavaScript already: it is run as it is. From the sources, it is built. */
export const COMPILED = import.meta.url.endsWith('.js');
const CACHE = fileURLToPath(new URL('../../node_modules/.cache/serverless-jobs/', import.meta.url));
const built = new Map<string, string>();

/**
 * A child process's entry (`sandbox-entry.ts`, `durable-host-entry.ts`) as plain JavaScript, built by esbuild once
 * per process and kept by content hash: a sandbox loads no TypeScript loader, as Lambda's runtime does not. Under tsx,
 * each sandbox spent seconds of CPU starting tsx's loader thread, and 10 of them starting at once took the cores from
 * the jobs; and a bundle that needed a TypeScript transform ran locally. `external` packages stay imports, resolved
 * from node_modules (one that loads files of its own by path, as a worker thread, cannot be bundled).
 */
export function entryScript(source: string, external: readonly string[] = []): string {
  if (COMPILED) return source;
  const known = built.get(source);
  if (known) return known;
  const [output] = buildSync({
    entryPoints: [source],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    external: [...external],
    write: false,
    logLevel: 'silent',
  }).outputFiles;
  const code = output!.contents;
  const name = basename(source).replace(/\.ts$/, '');
  const file = join(CACHE, `${name}-${createHash('sha256').update(code).digest('hex').slice(0, 16)}.mjs`);
  if (!existsSync(file)) {
    mkdirSync(CACHE, { recursive: true });
    // Test workers (processes or threads) may build it at the same moment: each writes its own file and renames it.
    const partial = `${file}.${randomUUID()}.partial`;
    writeFileSync(partial, code);
    renameSync(partial, file);
  }
  built.set(source, file);
  return file;
}
