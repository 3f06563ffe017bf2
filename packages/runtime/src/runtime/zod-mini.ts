import en from 'zod/v4/locales/en.js';
import { config } from 'zod/mini';

/**
 * The schema library of everything bundled into a function: `zod/mini` is about 16 KB minified, where
 * classic `zod` was 440 KB of every bundle and most of its cold start. Mini loads no locale, so a refused
 * payload would only say "Invalid input"; English is set here, before any schema of a function parses,
 * so the reason of a dead letter still says what was expected and what was given.
 *
 * Import it as a namespace, `import * as z from './zod-mini.ts'`: a named `z` (zod's own
 * `export { z }`) keeps the whole library in the bundle, a namespace import lets esbuild drop what is unused.
 */
config(en());

export * from 'zod/mini';
