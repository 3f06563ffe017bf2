/**
 * `npm run bench:cold-start`: section 4 of `npm run bench` alone. One synth of the app, then every function's
 * bundle at init and its load time against the SDK floor, printed as the bench prints them. `--cdk-out DIR`
 * measures an existing cloud assembly instead of synthesizing one.
 */
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { wholeNumber } from './arguments';
import { coldStartRows } from './cold-start-figures';
import { formatFigures, formatMethods } from './report';
import { DEFAULT_LOAD_RUNS, measureColdStart } from './sections/cold-start';
import { measureSynth } from './sections/synth-time';

const ROOT = resolve(import.meta.dirname, '..');
process.env.CDK_DISABLE_VERSION_CHECK = '1';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const { values: args } = parseArgs({
  options: { 'load-runs': { type: 'string', default: String(DEFAULT_LOAD_RUNS) }, 'cdk-out': { type: 'string' } },
});
const loadRuns = wholeNumber('load-runs', args['load-runs'], 1);

const given = args['cdk-out'];
console.error(given ? `[cold-start] measuring ${given}` : '[cold-start] synth of the whole app…');
const outdir = given ? resolve(given) : measureSynth(ROOT, 1).outdir;
try {
  console.error(`[cold-start] ${loadRuns} fresh processes per bundle…`);
  const rows = coldStartRows(measureColdStart(outdir, loadRuns));
  console.log(formatFigures(rows));
  console.log(`\nHow each figure was measured:\n${formatMethods(rows)}`);
} finally {
  if (!given) rmSync(outdir, { recursive: true, force: true });
}
