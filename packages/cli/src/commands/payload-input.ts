import { readFile } from 'node:fs/promises';
import type { SendEntry } from '../ops/ops-types.ts';
import { UsageError } from './cli-args.ts';

const ENTRY_KEYS = new Set(['id', 'payload', 'delaySeconds']);

/** `{"id": …, "payload": …, "delaySeconds": …}` is an entry; anything else is a payload. */
function toEntry(value: unknown): SendEntry {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const keys = Object.keys(value);
    if (keys.includes('payload') && keys.every((key) => ENTRY_KEYS.has(key))) {
      const entry = value as { id?: unknown; payload: unknown; delaySeconds?: unknown };
      return {
        payload: entry.payload,
        id: entry.id === undefined ? undefined : String(entry.id),
        delaySeconds: entry.delaySeconds === undefined ? undefined : Number(entry.delaySeconds),
      };
    }
  }
  return { payload: value };
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new UsageError(
      `${where} is not JSON: ${(error as Error).message} (given ${JSON.stringify(text.slice(0, 60))})`,
    );
  }
}

export interface PayloadSource {
  readonly data?: string;
  readonly file?: string;
  /** One entry: its job ID; several: the prefix of `<id>/<n>`. */
  readonly id?: string;
  /** Applied to every entry that has no delaySeconds of its own. */
  readonly delaySeconds?: number;
}

/**
 * The entries of `send`: `--data` or a `.json` file holds one payload or an array of them; a `.ndjson`
 * (or `.jsonl`) file one per line. An element shaped `{id, payload, delaySeconds}` is taken as an entry.
 */
export async function readEntries(source: PayloadSource): Promise<SendEntry[]> {
  let values: unknown[];
  if (source.data !== undefined) {
    const value = parseJson(source.data, '--data');
    values = Array.isArray(value) ? value : [value];
  } else {
    const file = source.file!;
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new UsageError(
        `--file cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message} (given "${file}")`,
      );
    }
    if (/\.(ndjson|jsonl)$/i.test(file)) {
      values = text
        .split('\n')
        .flatMap((line, i) => (line.trim() === '' ? [] : [parseJson(line, `line ${i + 1} of ${file}`)]));
    } else {
      const value = parseJson(text, file);
      values = Array.isArray(value) ? value : [value];
    }
  }
  const entries = values.map(toEntry);
  return entries.map((entry, i) => ({
    ...entry,
    id: entry.id ?? (source.id === undefined ? undefined : entries.length === 1 ? source.id : `${source.id}/${i + 1}`),
    delaySeconds: entry.delaySeconds ?? source.delaySeconds,
  }));
}
