import { rmSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import { emulatorEnvironment, type EmulatorSet, startEmulators } from '@serverless-jobs/local/runner';
import { offlineSynth, type SynthResult } from '#test/helpers/offline-synth';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The one real synth of this run, for the synth test and the end-to-end tests. */
    synth: SynthResult;
  }
}

let emulators: EmulatorSet | undefined;
let synthDir = '';

/**
 * Starts DynamoDB Local, fauxqs and aws-ses-v2-local once for the whole run (the workers inherit the
 * endpoints), and synthesizes the app once, offline, at the same time.
 */
export async function setup(project: TestProject): Promise<void> {
  const skipped: SynthResult = {
    outdir: '',
    status: null,
    output: 'skipped: SJ_SKIP_SYNTH=1',
    offline: false,
    seconds: 0,
  };
  const [started, synth] = await Promise.all([
    startEmulators(),
    process.env.SJ_SKIP_SYNTH === '1' ? skipped : offlineSynth(),
  ]);
  emulators = started;
  Object.assign(process.env, emulatorEnvironment(emulators), { POWERTOOLS_DEV: 'true', POWERTOOLS_LOG_LEVEL: 'WARN' });
  synthDir = synth.outdir;
  project.provide('synth', synth);
}

export async function teardown(): Promise<void> {
  await emulators?.stop();
  if (synthDir) rmSync(synthDir, { recursive: true, force: true });
}
