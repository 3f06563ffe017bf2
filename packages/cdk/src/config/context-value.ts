const LOOKS_LIKE_JSON = /^(\{|\[|"|-?\d|true$|false$|null$)/;

/**
 * A context value as the app should see it. `-c key=value` always arrives as a string, cdk.json may hold
 * any JSON, so strings that look like JSON (objects, arrays, numbers, booleans, null) are parsed and
 * everything else (`cron(0 3 * * ? *)`, `Europe/Berlin`) stays a string.
 * @throws SyntaxError when the string looks like JSON but is not
 */
export function parseContextValue(raw: unknown): unknown {
  if (typeof raw !== 'string') return raw;
  const text = raw.trim();
  if (!LOOKS_LIKE_JSON.test(text)) return raw;
  if (/^-?\d/.test(text) && !/^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(text)) return raw;
  return JSON.parse(text) as unknown;
}

/** How a context entry is quoted in messages: `Context "schedule.cleanup" = "cron(99 2 * * ? *)"`. */
export function quoteContext(key: string, raw: unknown): string {
  let value: string;
  try {
    value = JSON.stringify(raw) ?? String(raw);
  } catch {
    value = String(raw);
  }
  return `Context "${key}" = ${value}`;
}
