import type { DriftReport, ScheduleDrift } from '../ops/schedule-drift.ts';
import type { ScheduleSettings } from '../ops/deployed-template.ts';
import { type Column, formatTable } from './text-table.ts';

interface DriftRow {
  readonly drift: ScheduleDrift;
  /** The first row of a schedule names it and the next deploy; the others leave those cells empty. */
  readonly first: boolean;
  readonly field: string;
  readonly live: string;
  readonly declared: string;
}

const FIELD_LABEL = { expression: 'expression', timeZone: 'time zone', state: 'state', missing: 'schedule' } as const;

function nextDeployCell(drift: ScheduleDrift, target: DriftReport['target']): string {
  if (!drift.live) return drift.nextDeploy === 'restores' ? 'creates it' : 'leaves it missing';
  if (drift.nextDeploy === 'restores') return 'puts the declared one back';
  if (drift.nextDeploy === 'keeps') return 'keeps the live one';
  return target === 'local' ? '- (npm start: see below)' : 'unknown (see below)';
}

function rowsOf(drift: ScheduleDrift): DriftRow[] {
  return drift.drift.map((field, index) => {
    const pick = (s: ScheduleSettings | undefined) =>
      s === undefined ? 'missing' : field === 'missing' ? '' : s[field];
    const declared = field === 'missing' ? 'declared' : drift.declared[field];
    return { drift, first: index === 0, field: FIELD_LABEL[field], live: pick(drift.live), declared };
  });
}

const columns = (target: DriftReport['target']): Column<DriftRow>[] => [
  { header: 'SCHEDULE', cell: (r) => (r.first ? `${r.drift.job}/${r.drift.schedule}` : '') },
  { header: 'FIELD', cell: (r) => r.field },
  { header: 'LIVE', cell: (r) => r.live, max: 40 },
  { header: 'DECLARED', cell: (r) => r.declared, max: 40 },
  { header: 'NEXT CDK DEPLOY', cell: (r) => (r.first ? nextDeployCell(r.drift, target) : '') },
];

/** What to know and do about one drifted schedule, indented under its name. */
function detailsOf(drift: ScheduleDrift, index: number): string[] {
  return [
    ...(index > 0 ? [''] : []),
    `${drift.job}/${drift.schedule}:`,
    ...drift.notes.map((note) => `  ${note}`),
    ...(drift.restore.length > 0 ? [`  Run the declared one now: ${drift.restore.join(' && ')}`] : []),
    ...(drift.keepContext.length > 0 ? ['  Keep the live one: set in the context of cdk.json (or pass with -c):'] : []),
    ...drift.keepContext.map((line) => `    ${line}`),
  ];
}

/** `jobs-cli drift`: a table of the differences, then what each means and how to resolve it, then the count. */
export function formatDrift(report: DriftReport): string {
  const drifted = report.schedules.filter((s) => s.drift.length > 0);
  const compared = 'their declarations with the context of cdk.json and -c';
  const total = report.schedules.length;
  if (drifted.length === 0) return `All ${total} schedule(s) run as ${compared} declare them`;
  const template =
    report.templateError === undefined ? [] : [`The stack's last template could not be read: ${report.templateError}`];
  return [
    formatTable(drifted.flatMap(rowsOf), columns(report.target)),
    '',
    ...drifted.flatMap(detailsOf),
    ...(template.length > 0 ? ['', ...template] : []),
    '',
    `${drifted.length} of ${total} schedule(s) differ from ${compared}`,
  ].join('\n');
}
