// What the watchdog loads on its first run: its own chunk of the watchdog's bundle.
export { watchdogCheck } from '@serverless-jobs/runtime/schedules';
