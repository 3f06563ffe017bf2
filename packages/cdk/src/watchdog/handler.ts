import { createWatchdogHandler } from '@serverless-jobs/runtime/schedules';

/**
 * The schedule watchdog's function: the framework's own entry file, bundled like any job's. Its checks load on its
 * first run, from a chunk that only this bundle has.
 */
export const handler = createWatchdogHandler(() => import('./watchdog-check.ts'));
