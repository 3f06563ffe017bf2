import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { TRACE_LOG_KEY } from '@serverless-jobs/runtime/contracts';

export type LogFormat = 'pretty' | 'json';

/** One EMF document as a function printed it; the dashboard builds its charts from these. */
export interface EmfRecord {
  readonly label: string;
  readonly document: Record<string, unknown>;
}

const COLORS = ['\x1b[36m', '\x1b[35m', '\x1b[33m', '\x1b[32m', '\x1b[34m', '\x1b[91m', '\x1b[96m', '\x1b[95m'];
const RESET = '\x1b[0m';
const HIDDEN_KEYS = new Set([
  'level',
  'message',
  'timestamp',
  'service',
  'sampling_rate',
  TRACE_LOG_KEY,
  'cold_start',
  'function_arn',
  'function_memory_size',
  'function_name',
  'function_request_id',
  'job',
]);

/**
 * Routes what functions print: EMF lines are kept (in memory and in an NDJSON file) for the dashboard,
 * log lines are printed with the job's name in front, readable or as JSON.
 */
export class FunctionOutput {
  readonly metrics: EmfRecord[] = [];
  private readonly colors = new Map<string, string>();

  constructor(
    private readonly format: LogFormat,
    private readonly emfFile: string | undefined,
    private readonly write: (text: string) => void = (text) => void process.stdout.write(text),
    private readonly maxKept = 10_000,
    /** Job names in colour: only on a terminal, and not with NO_COLOR set to anything (https://no-color.org). */
    private readonly colored = process.stdout.isTTY === true && !process.env.NO_COLOR,
  ) {
    if (emfFile) mkdirSync(dirname(emfFile), { recursive: true });
  }

  line(label: string, text: string): void {
    let parsed: Record<string, unknown> | undefined;
    try {
      const value: unknown = JSON.parse(text);
      if (value !== null && typeof value === 'object' && !Array.isArray(value))
        parsed = value as Record<string, unknown>;
    } catch {
      parsed = undefined;
    }
    if (parsed && '_aws' in parsed) return this.keepMetrics({ label, document: parsed });
    if (this.format === 'json')
      return this.write(`${JSON.stringify({ job: label, ...(parsed ?? { message: text }) })}\n`);
    this.write(`${this.prefix(label)} ${parsed ? this.pretty(parsed) : text}\n`);
  }

  /** Runner-level news (batches, abandoned invocations, schedule firings) in the same stream. */
  note(label: string, message: string, fields: Record<string, unknown> = {}): void {
    if (this.format === 'json')
      return this.write(`${JSON.stringify({ job: label, source: 'runner', message, ...fields })}\n`);
    const extra = Object.entries(fields).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
    this.write(`${this.prefix(label)} ${[message, ...extra].join(' ')}\n`);
  }

  private keepMetrics(record: EmfRecord): void {
    this.metrics.push(record);
    if (this.metrics.length > this.maxKept) this.metrics.splice(0, this.metrics.length - this.maxKept);
    if (this.emfFile) appendFileSync(this.emfFile, `${JSON.stringify({ job: record.label, ...record.document })}\n`);
  }

  private prefix(label: string): string {
    if (!this.colors.has(label)) this.colors.set(label, COLORS[this.colors.size % COLORS.length]!);
    const time = new Date().toISOString().slice(11, 19);
    return this.colored ? `${time} ${this.colors.get(label)}[${label}]${RESET}` : `${time} [${label}]`;
  }

  /** The trace ID last, shortly named: the same ID is on the run's ledger item, and grep finds its lines. */
  private pretty(entry: Record<string, unknown>): string {
    const level = String(entry.level ?? 'INFO').padEnd(5);
    const fields = Object.entries(entry)
      .filter(([key]) => !HIDDEN_KEYS.has(key))
      .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
    const trace = entry[TRACE_LOG_KEY];
    if (typeof trace === 'string') fields.push(`trace=${trace}`);
    return [level, String(entry.message ?? ''), ...fields].join(' ');
  }
}
