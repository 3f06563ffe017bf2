import { PSEUDO_PARAMETERS } from '../intrinsics.ts';
import type { AccessRequest } from './evaluate-policy.ts';

const ARN_PREFIX = `arn:aws:ses:${PSEUDO_PARAMETERS['AWS::Region']}:${PSEUDO_PARAMETERS['AWS::AccountId']}`;

/** aws-ses-v2-local's own routes (its web page, store, health check): no AWS API, so nothing to check. */
const EMULATOR_ROUTES = new Set([
  'GET /',
  'GET /store',
  'GET /health-check',
  'GET /get-emlContent',
  'POST /clear-store',
]);

/** The bare address of `"Jobs" <jobs@example.com>` or `jobs@example.com`. */
export function bareAddress(mailbox: string): string {
  return (/<([^<>]*)>\s*$/.exec(mailbox)?.[1] ?? mailbox).trim();
}

/** A raw message's header, unfolded, or undefined. */
function rawHeader(base64: string, name: string): string | undefined {
  const message = Buffer.from(base64, 'base64').toString('utf8');
  const head = message.split(/\r?\n\r?\n/, 1)[0] ?? '';
  const lines = head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/);
  const prefix = `${name.toLowerCase()}:`;
  return lines
    .find((line) => line.toLowerCase().startsWith(prefix))
    ?.slice(prefix.length)
    .trim();
}

const addressesIn = (header: string | undefined): string[] => header?.match(/[^\s<>,;"']+@[^\s<>,;"']+/g) ?? [];

/**
 * What sending from `from` asks for: the action on the sender's identity, its address or its domain (whichever
 * SES would find verified; either suffices here), with `ses:FromAddress`, `ses:Recipients` and `ses:ApiVersion`.
 */
function sendRequest(
  action: string,
  from: string | undefined,
  recipients: readonly string[],
  apiVersion: string,
): AccessRequest | { readonly error: string } {
  const address = from === undefined ? '' : bareAddress(from);
  const at = address.lastIndexOf('@');
  if (at < 1) return { error: `${action}: no sender address (given ${JSON.stringify(from ?? null)})` };
  const domain = address.slice(at + 1).toLowerCase();
  return {
    action,
    resources: [`${ARN_PREFIX}:identity/${address}`, `${ARN_PREFIX}:identity/${domain}`],
    context: {
      'ses:FromAddress': [address],
      'ses:ApiVersion': [apiVersion],
      ...(recipients.length > 0 && { 'ses:Recipients': recipients.map(bareAddress) }),
    },
  };
}

/** SES v1, the query protocol: `POST /` with `Action=SendEmail&Source=…`. Other actions are checked on `*`. */
function v1Requests(form: URLSearchParams): readonly AccessRequest[] | { readonly error: string } {
  const action = form.get('Action');
  if (!action) return { error: 'SES request with no Action' };
  const raw = form.get('RawMessage.Data') ?? undefined;
  const source = form.get('Source') ?? (raw === undefined ? undefined : rawHeader(raw, 'From'));
  if (source === undefined) return [{ action: `ses:${action}`, resources: ['*'], context: {} }];
  const listed = [...form].filter(([key]) => /^(Destination\.\w+Addresses|Destinations)\.member\.\d+$/.test(key));
  const recipients =
    listed.length > 0 || raw === undefined
      ? listed.map(([, value]) => value)
      : ['To', 'Cc', 'Bcc'].flatMap((name) => addressesIn(rawHeader(raw, name)));
  const request = sendRequest(`ses:${action}`, source, recipients, '1');
  return 'error' in request ? request : [request];
}

interface V2Body {
  readonly FromEmailAddress?: string;
  readonly TemplateName?: string;
  readonly Destination?: Record<string, readonly string[] | undefined>;
  readonly Content?: { readonly Raw?: { readonly Data?: string } };
}

/** SES v2, REST: `POST /v2/email/outbound-emails` and the few other routes aws-ses-v2-local serves. */
function v2Requests(method: string, path: string, body: V2Body): readonly AccessRequest[] | { readonly error: string } {
  const on = (action: string, resource: string): AccessRequest[] => [
    { action: `ses:${action}`, resources: [resource], context: {} },
  ];
  const template = (name: string | undefined) => `${ARN_PREFIX}:template/${name ?? ''}`;
  const send = (action: string) => {
    const raw = body.Content?.Raw?.Data;
    const from = body.FromEmailAddress ?? (raw === undefined ? undefined : rawHeader(raw, 'From'));
    const listed = Object.values(body.Destination ?? {}).flatMap((addresses) => addresses ?? []);
    const recipients =
      listed.length > 0 || raw === undefined
        ? listed
        : ['To', 'Cc', 'Bcc'].flatMap((name) => addressesIn(rawHeader(raw, name)));
    const request = sendRequest(action, from, recipients, '2');
    return 'error' in request ? request : [request];
  };
  const [, name, render] = /^\/v2\/email\/templates\/([^/]+)(\/render)?$/.exec(path) ?? [];
  const route = `${method} ${name === undefined ? path : `/v2/email/templates/{name}${render ?? ''}`}`;
  switch (route) {
    case 'POST /v2/email/outbound-emails':
      return send('ses:SendEmail');
    case 'POST /v2/email/outbound-bulk-emails':
      return send('ses:SendBulkEmail');
    case 'GET /v2/email/account':
      return on('GetAccount', '*');
    case 'GET /v2/email/templates':
      return on('ListEmailTemplates', '*');
    case 'POST /v2/email/templates':
      return on('CreateEmailTemplate', template(body.TemplateName));
    case 'GET /v2/email/templates/{name}':
      return on('GetEmailTemplate', template(name));
    case 'PUT /v2/email/templates/{name}':
      return on('UpdateEmailTemplate', template(name));
    case 'DELETE /v2/email/templates/{name}':
      return on('DeleteEmailTemplate', template(name));
    case 'POST /v2/email/templates/{name}/render':
      return on('TestRenderEmailTemplate', template(name));
    default:
      return { error: `${method} ${path} is not an SES v2 operation the local stack knows` };
  }
}

/** What a request to the SES emulator asks for; its own routes (`GET /store`, ...) ask for nothing. */
export function sesRequests(
  method: string,
  path: string,
  body: string,
): readonly AccessRequest[] | { readonly error: string } {
  const url = new URL(path, 'http://ses.local');
  let pathname: string;
  try {
    pathname = decodeURIComponent(url.pathname);
  } catch {
    return { error: `${method} ${url.pathname}: the path is not well encoded` };
  }
  if (EMULATOR_ROUTES.has(`${method} ${pathname}`)) return [];
  if (pathname.startsWith('/v2/')) {
    let parsed: unknown = {};
    try {
      parsed = body === '' ? {} : JSON.parse(body);
    } catch {
      return { error: `${method} ${pathname}: the body is not JSON` };
    }
    if (typeof parsed !== 'object' || parsed === null) return { error: `${method} ${pathname}: the body is not JSON` };
    return v2Requests(method, pathname, parsed as V2Body);
  }
  if (method !== 'POST' || pathname !== '/') return { error: `${method} ${pathname} is not an SES operation` };
  const form = new URLSearchParams(body);
  for (const [key, value] of url.searchParams) form.append(key, value);
  return v1Requests(form);
}
