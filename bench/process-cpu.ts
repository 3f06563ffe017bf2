import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';

/** Where a run's CPU went, in milliseconds, by the kind of process that spent it. */
export interface CpuSplit {
  /** This process: the runner, fauxqs, the SES emulator, the IAM checker and the bench's sender. */
  readonly runner: number;
  /** The function sandboxes (node children), those that exited during the run included. */
  readonly sandboxes: number;
  /** DynamoDB Local (java). */
  readonly dynamodb: number;
}

interface Sample {
  /** CPU of this process, from process.cpuUsage (microsecond precision). */
  readonly selfMs: number;
  /** CPU of children this process has reaped (cutime + cstime): a sandbox that exited. */
  readonly reapedMs: number;
  /** CPU of each live process below this one, with its parent and its executable's name. */
  readonly below: ReadonlyMap<number, { readonly ppid: number; readonly exe: string; readonly ms: number }>;
}

const PROC = '/proc';

let ticksPerSecond: number | undefined;
function msPerTick(): number {
  ticksPerSecond ??= Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
  return 1000 / ticksPerSecond;
}

/** ppid, utime+stime and cutime+cstime of one process, in ticks; undefined once it has gone. */
function statOf(pid: number): { ppid: number; ticks: number; reapedTicks: number } | undefined {
  try {
    const stat = readFileSync(`${PROC}/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may hold spaces: the fields that count come after the last ")".
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return {
      ppid: Number(fields[1]),
      ticks: Number(fields[11]) + Number(fields[12]),
      reapedTicks: Number(fields[13]) + Number(fields[14]),
    };
  } catch {
    return undefined;
  }
}

function exeOf(pid: number): string {
  try {
    const argv0 = readFileSync(`${PROC}/${pid}/cmdline`, 'utf8').split('\0')[0] ?? '';
    return argv0.slice(argv0.lastIndexOf('/') + 1);
  } catch {
    return '';
  }
}

function sample(): Sample {
  const stats = new Map<number, { ppid: number; ticks: number }>();
  for (const name of readdirSync(PROC)) {
    if (!/^\d+$/.test(name)) continue;
    const stat = statOf(Number(name));
    if (stat) stats.set(Number(name), stat);
  }
  const below = new Map<number, { ppid: number; exe: string; ms: number }>();
  const pending = [process.pid];
  while (pending.length > 0) {
    const parent = pending.pop()!;
    for (const [pid, stat] of stats) {
      if (stat.ppid !== parent || below.has(pid)) continue;
      below.set(pid, { ppid: parent, exe: exeOf(pid), ms: stat.ticks * msPerTick() });
      pending.push(pid);
    }
  }
  const usage = process.cpuUsage();
  return {
    selfMs: (usage.user + usage.system) / 1000,
    reapedMs: (statOf(process.pid)?.reapedTicks ?? 0) * msPerTick(),
    below,
  };
}

/**
 * Starts measuring the CPU that this process and every process below it spend from now on, read from /proc
 * (Linux only; undefined elsewhere). Call the returned function at the end of the run. A process's time is
 * counted in ticks of 10 ms, so a run should last seconds, not milliseconds.
 */
export function startCpuMeter(): (() => CpuSplit) | undefined {
  if (!existsSync(`${PROC}/self/stat`)) return undefined;
  // Asked once, before the first sample: getconf is a child too, and would be counted as a sandbox.
  msPerTick();
  const before = sample();
  return () => {
    const after = sample();
    let sandboxes = after.reapedMs - before.reapedMs;
    let dynamodb = 0;
    // A reaped child's whole life is in reapedMs: take back what it had spent before the run began. (What a
    // grandchild spent is its parent's to reap, and is lost if that parent is still running.)
    for (const [pid, then] of before.below)
      if (!after.below.has(pid) && then.ppid === process.pid && then.exe !== 'java') sandboxes -= then.ms;
    for (const [pid, now] of after.below) {
      const spent = now.ms - (before.below.get(pid)?.ms ?? 0);
      if (now.exe === 'java') dynamodb += spent;
      else sandboxes += spent;
    }
    return { runner: after.selfMs - before.selfMs, sandboxes, dynamodb };
  };
}
