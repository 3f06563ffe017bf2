import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const MAX_LINE = 120;
const MAX_SOURCE_LINES = 400;
/** Files a person writes and reads; data and generated files (lockfile, recorded results, prices) are not. */
const WRITTEN = /\.(ts|mts|mjs|cjs|js|css|html|md|sh)$|^\.ci\/run$/;
const DATA = /(^|\/)(package-lock\.json|results\.json|prices\.json)$/;
const SOURCE = /\.(ts|mts|mjs|cjs|js|css|html)$/;

const tracked = (): string[] =>
  execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' })
    .split('\n')
    .filter((file) => WRITTEN.test(file) && !DATA.test(file) && existsSync(resolve(ROOT, file)));

describe('Source limits', () => {
  it(`keeps every line of code and docs within ${MAX_LINE} characters`, () => {
    const long = tracked().flatMap((file) =>
      readFileSync(resolve(ROOT, file), 'utf8')
        .split('\n')
        .flatMap((line, index) => (line.length > MAX_LINE ? [`${file}:${index + 1} (${line.length})`] : [])),
    );
    expect(long).toEqual([]);
  });

  it(`keeps every source file within ${MAX_SOURCE_LINES} lines`, () => {
    const large = tracked()
      .filter((file) => SOURCE.test(file))
      .map((file) => ({ file, lines: readFileSync(resolve(ROOT, file), 'utf8').split('\n').length }))
      .filter(({ lines }) => lines > MAX_SOURCE_LINES);
    expect(large).toEqual([]);
  });
});
