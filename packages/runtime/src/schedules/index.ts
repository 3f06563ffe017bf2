export * from './enqueue-occurrence.ts';
export * from './occurrence-ledger.ts';
export * from './run-watchdog.ts';
export * from './schedule-watchdog-job.ts';
export * from './watchdog.ts';
export * from './watched-schedule.ts';
export * from './watchdog-check.ts';
export * from './watchdog-handler.ts';
