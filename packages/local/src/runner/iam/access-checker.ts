import {
  Agent,
  createServer,
  type IncomingMessage,
  type RequestListener,
  request,
  type Server,
  type ServerResponse,
} from 'node:http';
import { LOOPBACK } from '../loopback.ts';
import { replayedRequest } from '../replayed-request.ts';
import { firstRefusal } from './evaluate-policy.ts';
import {
  accessDeniedResponse,
  accessKeyIdOf,
  accessRequestsOf,
  deniedMessage,
  type EmulatorRequest,
} from './aws-requests.ts';
import type { PolicyStatement } from './role-policies.ts';

export type CheckedService = 'dynamodb' | 'sqs' | 'ses';

/** Who calls with an access key: a function, with its role's statements resolved to local ARNs. */
export interface Caller {
  /** The job it runs, for the log line. */
  readonly label: string;
  readonly functionName: string;
  readonly roleName: string;
  readonly statements: readonly PolicyStatement[];
}

/** One refused request, for the runner's log line. */
export interface Refusal {
  /** The job whose function asked (its log prefix), or `iam` for a key that is nobody's. */
  readonly label: string;
  /** The function, or the unknown key. */
  readonly caller: string;
  readonly service: CheckedService;
  /** `dynamodb:Scan on arn:…`, or what could not be read of the request. */
  readonly what: string;
  /** The action refused, when the request could be read. */
  readonly action?: string;
  /** Why: the grant that is missing, the condition that failed or that is not supported. */
  readonly why: string;
}

export interface AccessCheckerOptions {
  /** The emulators' own endpoints. */
  readonly upstreams: Readonly<Record<CheckedService, string>>;
  /**
   * The request handlers of emulators that run in this process. A request for one of them is handed to its handler
   * here, rather than sent over loopback once more: that second round trip was half of what the check cost the
   * runner (its `writev` was 15% of a CPU profile). @default none: every request goes to its upstream's endpoint
   */
  readonly inProcess?: Readonly<Partial<Record<CheckedService, RequestListener>>>;
  /** Each function's identity, by its access key ID. */
  readonly callers: ReadonlyMap<string, Caller>;
  /** Keys with full access, as an administrator has: the operator clients'. */
  readonly operatorKeys: ReadonlySet<string>;
  readonly onRefused: (refusal: Refusal) => void;
}

export interface AccessChecker {
  /** Where functions reach each emulator, through the check. */
  readonly endpoints: Readonly<Record<CheckedService, string>>;
  stop(): Promise<void>;
}

function readBody(incoming: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => resolve(Buffer.concat(chunks)));
    incoming.on('error', reject);
  });
}

/**
 * IAM, locally: a proxy on loopback in front of each emulator. Each request is signed with its caller's access key;
 * a function's requests are checked against its role's statements as IAM checks them (action, resource, the
 * conditions the template uses, deny by default) and refused with AWS's AccessDenied error, or passed on unchanged.
 * The operator's key passes unchecked. A function's sandbox sends the DynamoDB requests its role allows straight to
 * DynamoDB Local (`installDirectRoute`), so of those only the ones it refuses or cannot read come here.
 */
export async function startAccessChecker(options: AccessCheckerOptions): Promise<AccessChecker> {
  const agent = new Agent({ keepAlive: true });
  const servers: Server[] = [];

  const refuse = (
    service: CheckedService,
    emulatorRequest: EmulatorRequest,
    response: ServerResponse,
    message: string,
    refusal: Refusal,
  ): void => {
    options.onRefused(refusal);
    const denied = accessDeniedResponse(service, emulatorRequest, message);
    response.writeHead(denied.status, denied.headers).end(denied.body);
  };

  const forward = (
    service: CheckedService,
    upstream: URL,
    incoming: IncomingMessage,
    body: Buffer,
    response: ServerResponse,
  ): void => {
    const handler = options.inProcess?.[service];
    if (handler) return void handler(replayedRequest(incoming, body, upstream.host), response);
    const outgoing = request(
      {
        agent,
        host: upstream.hostname,
        port: upstream.port,
        method: incoming.method,
        path: incoming.url,
        headers: { ...incoming.headers, host: upstream.host },
      },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    // An emulator that is down looks to the caller as it would directly: the connection drops, and the SDK retries.
    outgoing.on('error', () => response.destroy());
    response.on('close', () => outgoing.destroy());
    outgoing.end(body);
  };

  const handle = async (
    service: CheckedService,
    upstream: URL,
    incoming: IncomingMessage,
    response: ServerResponse,
  ): Promise<void> => {
    const body = await readBody(incoming);
    const emulatorRequest: EmulatorRequest = {
      method: incoming.method ?? 'GET',
      path: incoming.url ?? '/',
      headers: incoming.headers,
      body: body.toString('utf8'),
    };
    const key = accessKeyIdOf(incoming.headers);
    if (key !== undefined && options.operatorKeys.has(key)) return forward(service, upstream, incoming, body, response);
    const caller = key === undefined ? undefined : options.callers.get(key);
    if (!caller) {
      const who = key === undefined ? 'an unsigned request' : `access key ${key}`;
      const message = `The security token included in the request is invalid: ${who} belongs to no local function`;
      return refuse(service, emulatorRequest, response, message, {
        label: 'iam',
        caller: who,
        service,
        what: `${emulatorRequest.method} ${emulatorRequest.path}`,
        why: 'no function or operator has this access key',
      });
    }
    const requests = accessRequestsOf(service, emulatorRequest);
    if ('error' in requests) {
      return refuse(service, emulatorRequest, response, `${caller.functionName}: ${requests.error}`, {
        label: caller.label,
        caller: caller.functionName,
        service,
        what: `${emulatorRequest.method} ${emulatorRequest.path}`,
        why: `not understood, so refused: ${requests.error}`,
      });
    }
    const refused = firstRefusal(caller.statements, requests);
    if (!refused) return forward(service, upstream, incoming, body, response);
    return refuse(service, emulatorRequest, response, deniedMessage(caller, refused.request, refused.refusal), {
      label: caller.label,
      caller: caller.functionName,
      service,
      what: `${refused.request.action} on ${refused.request.resources.join(' or ')}`,
      action: refused.request.action,
      why:
        // A plain refusal names the role; one with a failed condition or a Deny says which statement and why.
        refused.refusal.detail.startsWith('no statement allows')
          ? `no statement of its role ${caller.roleName} allows it`
          : refused.refusal.detail,
    });
  };

  const listen = async (service: CheckedService): Promise<string> => {
    const upstream = new URL(options.upstreams[service]);
    const server = createServer((incoming, response) => {
      handle(service, upstream, incoming, response).catch(() => response.destroy());
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, LOOPBACK, resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('The access checker did not get a port');
    return `http://${LOOPBACK}:${address.port}`;
  };

  const endpoints = {
    dynamodb: await listen('dynamodb'),
    sqs: await listen('sqs'),
    ses: await listen('ses'),
  };
  return {
    endpoints,
    stop: async () => {
      await Promise.all(
        servers.map(
          (server) =>
            new Promise<void>((resolve) => {
              server.closeAllConnections();
              server.close(() => resolve());
            }),
        ),
      );
      agent.destroy();
    },
  };
}
