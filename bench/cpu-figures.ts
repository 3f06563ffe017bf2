import { asPrinted, fixed } from './report';
import type { ThroughputFigures } from './sections/local-throughput';
import { median } from './statistics';

/** All the CPU one end-to-end job took, every process together, in milliseconds. */
export function cpuMsPerJob(t: ThroughputFigures): number | undefined {
  const split = t.cpu?.msPerJob;
  return split && split.runner + split.sandboxes + split.dynamodb;
}

/** The most jobs a second the machine's cores could run at the CPU each job of this run took. */
export function cpuBoundJobsPerSecond(t: ThroughputFigures): number | undefined {
  const total = cpuMsPerJob(t);
  return t.cpu && total ? (t.cpu.cores * 1000) / total : undefined;
}

/** Where a run's CPU went, per job: the measured reason a local run goes no faster. */
export function cpuSplitText(t: ThroughputFigures): string {
  const split = t.cpu?.msPerJob;
  if (!split) return 'CPU not measured (no /proc)';
  return (
    `CPU per job, from /proc, first send to drained: sandboxes ${fixed(split.sandboxes)} ms, the runner's process ` +
    `(runner, fauxqs, SES emulator, IAM checker, sender) ${fixed(split.runner)} ms, DynamoDB Local ` +
    `${fixed(split.dynamodb)} ms = ${fixed(cpuMsPerJob(t))} ms`
  );
}

/** The e2e row's reason: the CPU split, and the share of the limit the cores allow at that cost. */
export function cpuCeilingText(t: ThroughputFigures, goal: number): string {
  const ceiling = cpuBoundJobsPerSecond(t);
  if (!ceiling || !t.cpu || !t.limitJobsPerSecond) return cpuSplitText(t);
  // Judged as printed, so the words and the figure beside them never disagree at the second place.
  const share = asPrinted(ceiling / t.limitJobsPerSecond, 2);
  return (
    `${cpuSplitText(t)}; at that cost ${t.cpu.cores} cores run at most ${fixed(ceiling, 0)} jobs/s = ` +
    `${fixed(share)} of the limit${share < goal ? `, below the goal of ${goal}: out of reach on this machine` : ''}`
  );
}

/** The IAM row's reason: what the checker's hop adds to each job's CPU, medians of each side's runs. */
export function iamCpuText(on: readonly ThroughputFigures[], off: readonly ThroughputFigures[], goal: number): string {
  const measured = (runs: readonly ThroughputFigures[]) => runs.filter((t) => t.cpu);
  if (measured(on).length === 0 || measured(off).length === 0) return 'CPU not measured (no /proc)';
  const total = (runs: readonly ThroughputFigures[]) => median(measured(runs).map((t) => cpuMsPerJob(t) ?? 0));
  const runner = (runs: readonly ThroughputFigures[]) => median(measured(runs).map((t) => t.cpu!.msPerJob.runner));
  const best = asPrinted(total(off) / total(on), 2);
  return (
    `CPU per job (medians, from /proc): ${fixed(total(on))} ms on, of which the runner's process ` +
    `${fixed(runner(on))} ms; ${fixed(total(off))} ms off, ${fixed(runner(off))} ms; CPU-bound, the ratio ` +
    `can reach at most ${fixed(best)}${best < goal ? `, below the goal of ${goal}: out of reach on this machine` : ''}`
  );
}
