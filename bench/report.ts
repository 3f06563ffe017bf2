import { formatTable } from '@serverless-jobs/cli/commands';

/** One printed figure: ours beside the baseline where there is one, against its goal. */
export interface FigureRow {
  readonly section: string;
  readonly figure: string;
  readonly ours: string;
  readonly baseline: string;
  /** Ours divided by the baseline, where that means something. */
  readonly ratio: string;
  readonly goal: string;
  /** 'met', 'NOT met' or '' when the figure has no goal. */
  readonly verdict: string;
  readonly how: string;
}

export const fixed = (value: number | undefined, digits = 2): string =>
  value === undefined || !Number.isFinite(value) ? '-' : value.toFixed(digits);
export const kb = (bytes: number): string => `${(bytes / 1000).toFixed(1)} KB`;
export const dollars = (value: number): string => `$${value.toFixed(3)}`;
export const verdict = (met: boolean): string => (met ? 'met' : 'NOT met');
/**
 * A ratio as the table prints it, to judge it by: its verdict then never disagrees with the figure beside it (never
 * "0.600 … NOT met" against a goal of 0.6). NaN for a figure that is missing, which meets no goal.
 */
export const asPrinted = (value: number, digits = 3): number => Number(fixed(value, digits));

export function formatFigures(rows: readonly FigureRow[]): string {
  return formatTable(rows, [
    { header: '#', cell: (row) => row.section },
    { header: 'figure', cell: (row) => row.figure },
    { header: 'serverless-jobs', cell: (row) => row.ours },
    { header: 'Powertools baseline', cell: (row) => row.baseline },
    { header: 'ratio', cell: (row) => row.ratio },
    { header: 'goal', cell: (row) => row.goal },
    { header: 'verdict', cell: (row) => row.verdict },
  ]);
}

/** Each figure's method, numbered like the table, printed under it. */
export function formatMethods(rows: readonly FigureRow[]): string {
  return rows.map((row) => `  ${row.section} ${row.figure}: ${row.how}`).join('\n');
}
