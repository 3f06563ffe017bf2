import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { startCpuMeter } from '#bench/process-cpu';

/** A child that spins for `ms` of CPU, then says so on stdout, then waits for `linger` ms before exiting. */
function spinner(ms: number, linger: number) {
  const code =
    `const end = Date.now() + ${ms}; while (Date.now() < end); ` +
    `console.log('spun'); setTimeout(() => {}, ${linger});`;
  return spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
}

describe.runIf(process.platform === 'linux')('bench/process-cpu: CPU by process, from /proc', () => {
  it('counts a child that is still running when the run ends', async () => {
    const stop = startCpuMeter()!;
    const child = spinner(300, 10_000);
    await once(child.stdout!, 'data');
    const split = stop();
    child.kill();
    // Ticks of 10 ms, and the child's own start-up on top of its spin.
    expect(split.sandboxes).toBeGreaterThanOrEqual(250);
    expect(split.dynamodb).toBe(0);
  });

  it('counts a child that exited and was reaped during the run', async () => {
    const stop = startCpuMeter()!;
    const child = spinner(300, 0);
    await once(child, 'exit');
    const split = stop();
    expect(split.sandboxes).toBeGreaterThanOrEqual(250);
  });

  it("counts only the run's share of a child that began before it and exited during it", async () => {
    const code =
      'const spin = (ms) => { const end = Date.now() + ms; while (Date.now() < end); }; ' +
      "spin(400); console.log('spun'); setTimeout(() => spin(200), 100);";
    const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
    await once(child.stdout!, 'data');
    const stop = startCpuMeter()!;
    await once(child, 'exit');
    const split = stop();
    // Its 200 ms after the start, not the 400 ms (and start-up) before it.
    expect(split.sandboxes).toBeGreaterThanOrEqual(150);
    expect(split.sandboxes).toBeLessThan(350);
  });

  it("counts this process's own CPU as the runner's", () => {
    const stop = startCpuMeter()!;
    const end = performance.now() + 200;
    while (performance.now() < end);
    const split = stop();
    expect(split.runner).toBeGreaterThanOrEqual(150);
    expect(split.sandboxes).toBeLessThan(50);
  });
});
