/** A column of a plain text table: its header and how to show a row's cell. */
export interface Column<T> {
  readonly header: string;
  readonly cell: (row: T) => string;
  /** Cut longer cells to this many characters, with an ellipsis. @default no limit */
  readonly max?: number;
}

function fit(text: string, max: number | undefined): string {
  const flat = text.replace(/\s+/g, ' ');
  return max !== undefined && flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** Left-aligned columns two spaces apart, a header line first, no trailing spaces. */
export function formatTable<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  const cells = rows.map((row) => columns.map((column) => fit(column.cell(row), column.max)));
  const widths = columns.map((column, i) => Math.max(column.header.length, ...cells.map((line) => line[i]!.length)));
  const line = (values: readonly string[]) =>
    values
      .map((value, i) => value.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...cells.map(line)].join('\n');
}
