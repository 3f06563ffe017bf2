/**
 * Time as the local runner's schedules see it: it starts at `startAt` and runs `speed` times faster
 * than the wall clock, so a day of schedules can be watched in minutes.
 */
export class VirtualClock {
  private readonly realStart = Date.now();

  constructor(
    private startAt: number = Date.now(),
    readonly speed: number = 1,
  ) {
    if (!(speed > 0)) throw new Error(`--clock-speed must be a positive number (given ${speed})`);
  }

  now(): number {
    return this.startAt + (Date.now() - this.realStart) * this.speed;
  }

  /** Jumps the virtual time forward by `ms` (to simulate days passing); the schedules must be re-armed. */
  advance(ms: number): void {
    if (!(ms > 0)) throw new Error(`the clock moves forward only (given ${ms} ms)`);
    this.startAt += ms;
  }

  /** Wall-clock milliseconds until virtual time `at`. */
  realDelayUntil(at: number): number {
    return Math.max(0, (at - this.now()) / this.speed);
  }
}
