import { jobOutputKey } from '@serverless-jobs/runtime/contracts';
import type { JobDeclaration } from '@serverless-jobs/runtime/jobs';
import { type DeployContext, declaredSchedule } from './deploy-context.ts';
import { type ScheduleSettings, templateSchedules } from './deployed-template.ts';
import { OpsTargetError } from './errors.ts';
import type { DeployedSchedule, ScheduleRef } from './ops-types.ts';
import { contextKey } from './schedule-views.ts';

/** Where a live schedule differs from its declaration; `missing`: it does not exist where it runs. */
export type DriftField = 'expression' | 'timeZone' | 'state' | 'missing';

/**
 * What the next `cdk deploy` does to a drifted schedule. CloudFormation compares the new template with the last
 * one, not with the live schedule: `restores` when the schedule's template changes (CloudFormation then writes
 * the whole declared schedule), `keeps` when it does not, `unknown` without the last template to compare with.
 */
export type NextDeploy = 'restores' | 'keeps' | 'unknown';

export interface ScheduleDrift {
  readonly job: string;
  readonly schedule: string;
  readonly via: 'scheduler' | 'rule';
  /** The EventBridge Scheduler schedule or rule name; undefined when the stack has no output for it. */
  readonly name?: string;
  /** As it runs now; undefined when it does not exist. */
  readonly live?: ScheduleSettings;
  /** The declaration with the context overrides, as a synth makes it; always ENABLED. */
  readonly declared: ScheduleSettings;
  /** The context keys that changed the declaration (`schedule.cleanup`). */
  readonly contextKeys: readonly string[];
  /** What the stack's last deploy wrote, from its template (AWS, when it could be read). */
  readonly deployed?: ScheduleSettings;
  /** Empty when the schedule runs as declared. */
  readonly drift: readonly DriftField[];
  readonly nextDeploy?: NextDeploy;
  /** What the next deploy does, and why; how to put the declared one back or keep the live one. */
  readonly notes: readonly string[];
  /** The commands that put the declared schedule back now. */
  readonly restore: readonly string[];
  /** The cdk.json context lines that would declare the live expression and zone. */
  readonly keepContext: readonly string[];
}

export interface DriftReport {
  readonly target: 'aws' | 'local';
  readonly schedules: readonly ScheduleDrift[];
  /** How many schedules drifted. */
  readonly drifted: number;
  /** Why the last deployed template could not be read (AWS); the next deploy is then `unknown`. */
  readonly templateError?: string;
}

export interface DriftSources {
  readonly jobs: readonly JobDeclaration[];
  readonly context: DeployContext;
  readonly target: 'aws' | 'local';
  /** The schedule's physical name from the stack outputs; throws OpsTargetError when there is none. */
  readonly refOf: (job: string, schedule: string) => ScheduleRef;
  readonly describe: (ref: ScheduleRef) => Promise<DeployedSchedule>;
  /** The body of the stack's last deployed template; none under npm start. */
  readonly template?: () => Promise<string>;
}

const FIELDS = ['expression', 'timeZone', 'state'] as const;
const sameSettings = (a: ScheduleSettings, b: ScheduleSettings): boolean => FIELDS.every((f) => a[f] === b[f]);

function refOrNone(sources: DriftSources, job: string, schedule: string): ScheduleRef | undefined {
  try {
    return sources.refOf(job, schedule);
  } catch (error) {
    if (error instanceof OpsTargetError) return undefined;
    throw error;
  }
}

async function liveSettings(sources: DriftSources, ref: ScheduleRef): Promise<ScheduleSettings | undefined> {
  try {
    const { expression, timeZone, state } = await sources.describe(ref);
    return { expression, timeZone, state };
  } catch (error) {
    // Deleted outside the stack (the console, the API): drift too, not a failure of the whole report.
    if (error instanceof Error && error.name === 'ResourceNotFoundException') return undefined;
    throw error;
  }
}

async function readTemplates(
  read: DriftSources['template'],
): Promise<{ templates?: Map<string, ScheduleSettings>; templateError?: string }> {
  if (!read) return {};
  try {
    return { templates: templateSchedules(await read()) };
  } catch (error) {
    return { templateError: error instanceof Error ? error.message : String(error) };
  }
}

interface Planned {
  readonly job: JobDeclaration;
  readonly schedule: JobDeclaration['schedules'][number];
  readonly declared: ScheduleSettings;
  readonly contextKeys: readonly string[];
}

interface Found {
  readonly ref?: ScheduleRef;
  readonly live?: ScheduleSettings;
  readonly deployed?: ScheduleSettings;
}

function nextDeployOf(plan: Planned, found: Found, templates: Map<string, ScheduleSettings> | undefined): NextDeploy {
  if (!found.ref) return 'restores';
  if (!templates) return 'unknown';
  if (!found.live) return 'keeps';
  return found.deployed && sameSettings(found.deployed, plan.declared) ? 'keeps' : 'restores';
}

/** What the next deploy does, in lines short enough for a terminal. */
function deployNotes(next: NextDeploy, found: Found, target: DriftSources['target']): string[] {
  if (!found.ref && target === 'local')
    return ['npm start does not run it (its template has no output for it); a restart after a synth does.'];
  if (!found.ref) return ['Not deployed (the stack has no output for it): the next cdk deploy creates it.'];
  if (!found.live)
    return [
      'Deleted outside CloudFormation, which does not notice: a deploy leaves it missing, or fails if it changes it.',
    ];
  if (next === 'restores')
    return ["Next cdk deploy: puts the declared one back, as it changes this schedule's template."];
  if (next === 'keeps')
    return [
      "Next cdk deploy: leaves it as it runs: this schedule's template does not change, and CloudFormation compares",
      'templates, not live schedules. A later deploy that changes that template puts the declared one back.',
    ];
  if (target === 'local')
    return [
      "Under npm start, a restart keeps it while this schedule's synthesized template stays the same; a restart",
      'after a synth that changes it runs the declared one, and npm start -- --reset drops every change.',
    ];
  return ["Next cdk deploy: puts the declared one back only if it changes this schedule's template (not readable)."];
}

function driftOf(plan: Planned, found: Found): DriftField[] {
  const { live } = found;
  return live ? FIELDS.filter((f) => live[f] !== plan.declared[f]) : ['missing'];
}

/** The context lines that declare the live expression and zone, as `jobs-cli schedule` prints them. */
function keepLines(plan: Planned, live: ScheduleSettings): string[] {
  const { job, schedule, contextKeys } = plan;
  const line = (kind: 'schedule' | 'timezone', value: string) =>
    `${JSON.stringify(contextKey(kind, job, schedule.name))}: ${JSON.stringify(value)}`;
  const zoneLine = live.timeZone !== schedule.timeZone || contextKeys.some((key) => key.startsWith('timezone.'));
  return [line('schedule', live.expression), ...(zoneLine ? [line('timezone', live.timeZone)] : [])];
}

function describeDrift(
  plan: Planned,
  found: Found,
  templates: Map<string, ScheduleSettings> | undefined,
  target: DriftSources['target'],
): ScheduleDrift {
  const { job, schedule, declared, contextKeys } = plan;
  const base = { job: job.name, schedule: schedule.name, via: schedule.via, name: found.ref?.name, declared };
  const common = {
    ...base,
    ...(found.live && { live: found.live }),
    ...(found.deployed && { deployed: found.deployed }),
  };
  const drift = driftOf(plan, found);
  if (drift.length === 0) return { ...common, contextKeys, drift, notes: [], restore: [], keepContext: [] };
  const next = nextDeployOf(plan, found, templates);
  const notes = deployNotes(next, found, target);
  if (found.live && found.deployed && sameSettings(found.live, found.deployed) && next === 'restores')
    notes.push('It runs as the last deploy left it: the declaration or its context changed since.');
  const which = job.schedules.length > 1 ? ` --schedule ${schedule.name}` : '';
  const restore: string[] = [];
  const keepContext: string[] = [];
  if (found.live && (drift.includes('expression') || drift.includes('timeZone'))) {
    restore.push(`npx jobs-cli schedule ${job.name} "${declared.expression}" --tz ${declared.timeZone}${which}`);
    keepContext.push(...keepLines(plan, found.live));
  }
  if (drift.includes('state')) {
    restore.push(`npx jobs-cli resume ${job.name}${which}`);
    notes.push('A pause has no context key: the declaration always deploys the schedule ENABLED.');
  }
  return { ...common, contextKeys, drift, nextDeploy: next, notes, restore, keepContext };
}

/**
 * Compares each schedule as it runs (EventBridge Scheduler or rule on AWS, the runner under npm start) with
 * its declaration and the deploy context, and says what the next cdk deploy does about each difference.
 * Every context override is checked before any call, so a bad one is reported without touching the target.
 */
export async function scheduleDrift(sources: DriftSources, only?: string): Promise<DriftReport> {
  const jobs = only === undefined ? sources.jobs : sources.jobs.filter((job) => job.name === only);
  const planned: Planned[] = jobs.flatMap((job) =>
    job.schedules.map((schedule) => {
      const { expression, timeZone, keys } = declaredSchedule(job, schedule.name, sources.context);
      return { job, schedule, declared: { expression, timeZone, state: 'ENABLED' }, contextKeys: keys };
    }),
  );
  const { templates, templateError } = await readTemplates(sources.template);
  const schedules = await Promise.all(
    planned.map(async (plan) => {
      const ref = refOrNone(sources, plan.job.name, plan.schedule.name);
      const live = ref && (await liveSettings(sources, ref));
      const deployed = templates?.get(jobOutputKey.schedule(plan.job.name, plan.schedule.name));
      return describeDrift(plan, { ref, live, deployed }, templates, sources.target);
    }),
  );
  const drifted = schedules.filter((s) => s.drift.length > 0).length;
  return { target: sources.target, schedules, drifted, ...(templateError !== undefined && { templateError }) };
}
