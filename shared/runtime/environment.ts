/** The environment variable that holds a job's queue URL: `QUEUE_URL_SEND_EMAIL` for `send-email`. */
export const queueUrlVariable = (job: string): string => `QUEUE_URL_${job.toUpperCase().replace(/-/g, '_')}`;

/** Reads a variable that infra always sets; its absence is a wiring bug, so the message names it. */
export function requireEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`Environment variable ${name} is not set`);
  return value;
}

/** The watchdog's schedules, as JSON (WatchedSchedule[]), set by infra from the resolved declarations. */
export const WATCHED_SCHEDULES_VARIABLE = 'WATCHED_SCHEDULES';
