import { bulkEmailJob } from '#shared/jobs/bulk-email';
import { cleanupJob } from '#shared/jobs/cleanup';
import type { JobDeclaration } from '#shared/jobs/job-declaration';
import { processOrderJob } from '#shared/jobs/process-order';
import { dailyReportJob, monthlyReportJob } from '#shared/jobs/report-jobs';
import { defineScheduleWatchdog } from '#shared/jobs/schedule-watchdog';
import { sendEmailJob } from '#shared/jobs/send-email';

const applicationJobs: readonly JobDeclaration[] = [sendEmailJob, bulkEmailJob, processOrderJob, cleanupJob, dailyReportJob, monthlyReportJob];

/** The watchdog of the application jobs' schedules. */
export const scheduleWatchdogJob = defineScheduleWatchdog(applicationJobs);

/** Every job of the system. infra/, the CLI and the functions read this list; nothing is declared twice. */
export const allJobs: readonly JobDeclaration[] = [...applicationJobs, scheduleWatchdogJob];

export function findJob(name: string): JobDeclaration | undefined {
  return allJobs.find((job) => job.name === name);
}

export function getJob(name: string): JobDeclaration {
  const job = findJob(name);
  if (!job) throw new Error(`Unknown job "${name}"; the jobs are: ${allJobs.map((j) => j.name).join(', ')}`);
  return job;
}
