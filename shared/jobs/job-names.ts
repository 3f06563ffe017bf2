import { SCHEDULE_WATCHDOG } from '@serverless-jobs/runtime/schedules';

// The app's job names, each declaration's `name`: separate constants, so a bundle keeps only the ones it uses.
export const SEND_EMAIL = 'send-email';
export const BULK_EMAIL = 'bulk-email';
export const PROCESS_ORDER = 'process-order';
export const FULFIL_ORDER = 'fulfil-order';
export const CLEANUP = 'cleanup';
export const DAILY_REPORT = 'daily-report';
export const MONTHLY_REPORT = 'monthly-report';

/** Every job whose runs a report counts: the app's and the framework's watchdog. */
export const reportedJobs: readonly string[] = [
  SEND_EMAIL,
  BULK_EMAIL,
  PROCESS_ORDER,
  FULFIL_ORDER,
  CLEANUP,
  DAILY_REPORT,
  MONTHLY_REPORT,
  SCHEDULE_WATCHDOG,
];
