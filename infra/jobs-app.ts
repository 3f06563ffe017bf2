import { type App, Aspects, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { withScheduleWatchdog } from '@serverless-jobs/runtime/schedules';
import { appJobs } from '#shared/jobs/registry';
import type { JobDeclaration } from '@serverless-jobs/runtime/jobs';
import { readAppConfig } from '#infra/config/app-config';
import { JobSafetyAspect } from '@serverless-jobs/cdk/aspects';
import { ServerlessJobsStack } from '#infra/stacks/serverless-jobs-stack';

export interface JobsAppOptions {
  /** The app's declarations to build; the framework adds its watchdog. @default appJobs */
  readonly jobs?: readonly JobDeclaration[];
  /** Run cdk-nag's AwsSolutions and Serverless packs at synth. @default true */
  readonly nag?: boolean;
  /** The entry file of a job's function (tests build fixture jobs). @default `functions/<job>/handler.ts` */
  readonly entryOf?: (job: string) => string;
}

/**
 * Builds the serverless-jobs stack into `app` from its context (stage, production, emailFrom and its identity,
 * the alarm target, reportRecipients and the per-job overrides), with the safety aspect and cdk-nag. Shared by
 * `infra/app.ts` and the tests. The stack is environment-agnostic: no account or region lookups.
 */
export function buildJobsApp(app: App, options: JobsAppOptions = {}): ServerlessJobsStack {
  const jobs = options.jobs ?? appJobs;
  const config = readAppConfig(app.node.getAllContext() as Record<string, unknown>, withScheduleWatchdog(jobs));
  const stack = new ServerlessJobsStack(app, `ServerlessJobs-${config.stage}`, {
    config,
    jobs,
    ...(options.entryOf ? { entryOf: options.entryOf } : {}),
    description:
      `serverless-jobs (${config.stage}${config.production ? ', production' : ''}): job queues, workers, ` +
      'schedules, run ledger, alarms',
  });
  Aspects.of(app).add(new JobSafetyAspect());
  // AwsSolutions must pass with no acknowledgement; the Serverless pack's findings that do not fit this
  // design are acknowledged, each with its reason, where the resource is made (JobWorker in @serverless-jobs/cdk).
  if (options.nag ?? true) Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
  return stack;
}
