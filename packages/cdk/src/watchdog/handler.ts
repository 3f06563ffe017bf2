import { createWatchdogHandler } from '@serverless-jobs/runtime/schedules';

/** The schedule watchdog's function: the framework's own entry file, bundled like any job's. */
export const handler = createWatchdogHandler();
