import type { JobDeclaration } from '@serverless-jobs/runtime/jobs';
import { withScheduleWatchdog } from '@serverless-jobs/runtime/schedules';
import { bulkEmailJob } from '#shared/jobs/bulk-email';
import { cleanupJob } from '#shared/jobs/cleanup';
import { processOrderJob } from '#shared/jobs/process-order';
import { fulfilOrderJob } from '#shared/jobs/fulfil-order';
import { dailyReportJob } from '#shared/jobs/daily-report';
import { monthlyReportJob } from '#shared/jobs/monthly-report';
import { sendEmailJob } from '#shared/jobs/send-email';

/**
 * The app's jobs: the stack, the CLI and the local dashboard read this list. A function imports only its
 * own declaration (and those of the jobs it enqueues), never this registry.
 */
export const appJobs: readonly JobDeclaration[] = [
  sendEmailJob,
  bulkEmailJob,
  processOrderJob,
  fulfilOrderJob,
  cleanupJob,
  dailyReportJob,
  monthlyReportJob,
];

/** The app's jobs and the framework's schedule watchdog, as the running system has them. */
export const allJobs: readonly JobDeclaration[] = withScheduleWatchdog(appJobs);

export function findJob(name: string): JobDeclaration | undefined {
  return allJobs.find((job) => job.name === name);
}

export function getJob(name: string): JobDeclaration {
  const job = findJob(name);
  if (!job) throw new Error(`Unknown job "${name}"; the jobs are: ${allJobs.map((j) => j.name).join(', ')}`);
  return job;
}
