import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** The header that carries the per-run token on every state-changing request. */
export const TOKEN_HEADER = 'x-jobs-token';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface RequestGuardOptions {
  /** `http://127.0.0.1:<port>`: the only Origin a browser may send a change from. */
  readonly origin: string;
  readonly token: string;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function sameToken(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Why a request must be refused, or undefined to let it through.
 * - Every request must name the dashboard's own host: a DNS-rebound name (evil.example → 127.0.0.1) is refused,
 *   so another site cannot read the data either.
 * - A change (POST, PUT, …) needs the per-run token, and an Origin equal to the dashboard's own (under
 *   127.0.0.1 or localhost). Without an
 *   Origin it passes on the token alone (curl, the `jobs` CLI); browsers always send one on such requests.
 */
export function refusal(
  method: string,
  headers: IncomingHttpHeaders,
  options: RequestGuardOptions,
): string | undefined {
  const { host: ownHost, port } = new URL(options.origin);
  // localhost is the same loopback server; a page opened under that name sends that Origin.
  const hosts = [ownHost, `localhost:${port}`];
  const host = header(headers, 'host');
  if (host === undefined || !hosts.includes(host)) return `host "${host ?? ''}" is not this dashboard's (${ownHost})`;
  if (SAFE_METHODS.has(method.toUpperCase())) return undefined;
  if (!sameToken(header(headers, TOKEN_HEADER), options.token))
    return `a ${method} needs the ${TOKEN_HEADER} header of this run (see .local/runner.json)`;
  const origin = header(headers, 'origin');
  if (origin !== undefined && !hosts.some((h) => origin === `http://${h}`))
    return `cross-origin request from "${origin}" refused`;
  const site = header(headers, 'sec-fetch-site');
  if (site !== undefined && site !== 'same-origin' && site !== 'none')
    return `cross-site request (sec-fetch-site: ${site}) refused`;
  return undefined;
}
