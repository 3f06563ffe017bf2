import type { Clock } from '@serverless-jobs/runtime/runtime';

/** A clock that moves only when told to. */
export class FakeClock implements Clock {
  constructor(private millis = Date.parse('2026-11-24T08:00:00.000Z')) {}

  now(): number {
    return this.millis;
  }

  advance(ms: number): void {
    this.millis += ms;
  }

  set(iso: string): void {
    this.millis = Date.parse(iso);
  }
}
