// The app's jobs and the framework's schedule watchdog, as the running system has them (for the CLI and the runner).
import { withScheduleWatchdog } from '@serverless-jobs/runtime/schedules';
import { appJobs } from './jobs.mjs';

export const allJobs = withScheduleWatchdog(appJobs);
