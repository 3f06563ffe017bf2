import { beforeAll, describe, expect, it } from 'vitest';
import { ContextOverrideError } from '@serverless-jobs/cdk/config';
import type { IConstruct } from 'constructs';
import { buildJobsApp } from '#infra/jobs-app';
import {
  logicalIdOf,
  propertiesOf,
  type SynthesizedJobsApp,
  synthJobsApp,
  testApp,
} from '#test/infra/support/synth-jobs-app';

/** Every job function with its log group: a durable job's starter and its execution function. */
const functionsOf = (synth: SynthesizedJobsApp) =>
  synth.stack.workers.flatMap((worker) => [
    { name: worker.jobName, fn: worker.fn, logGroup: worker.logGroup },
    ...(worker.durable ? [{ name: `${worker.jobName} (durable)`, ...worker.durable }] : []),
  ]);

const variablesOf = (synth: SynthesizedJobsApp, fn: IConstruct): Record<string, unknown> =>
  (propertiesOf(synth.template, logicalIdOf(fn)).Environment as { Variables: Record<string, unknown> }).Variables;

describe('Logs: each function’s log group and level', () => {
  let synth: SynthesizedJobsApp;
  beforeAll(() => {
    synth = synthJobsApp();
  });

  it('puts every function in a Standard log group, where CloudWatch extracts the EMF metrics the alarms read', () => {
    const groups = synth.template.findResources('AWS::Logs::LogGroup');
    expect(Object.keys(groups).sort()).toEqual(
      functionsOf(synth)
        .map(({ logGroup }) => logicalIdOf(logGroup))
        .sort(),
    );
    for (const { name, logGroup } of functionsOf(synth))
      expect(propertiesOf(synth.template, logicalIdOf(logGroup)).LogGroupClass, name).toBe('STANDARD');
  });

  it('sets no log level by default, so every function logs at Powertools’ INFO', () => {
    for (const { name, fn } of functionsOf(synth))
      expect(variablesOf(synth, fn), name).not.toHaveProperty('POWERTOOLS_LOG_LEVEL');
  });

  it('sets POWERTOOLS_LOG_LEVEL on every function with -c logLevel, in any case', () => {
    const debug = synthJobsApp({ logLevel: 'debug' });
    for (const { name, fn } of functionsOf(debug))
      expect(variablesOf(debug, fn).POWERTOOLS_LOG_LEVEL, name).toBe('DEBUG');
  });

  it('refuses a logLevel that is not a level, naming the key and the value', () => {
    expect(() => buildJobsApp(testApp({ logLevel: 'verbose' }))).toThrow(ContextOverrideError);
    expect(() => buildJobsApp(testApp({ logLevel: 'verbose' }))).toThrow(
      'Context "logLevel" = "verbose": expected one of TRACE, DEBUG, INFO, WARN, ERROR, CRITICAL, SILENT',
    );
  });
});
