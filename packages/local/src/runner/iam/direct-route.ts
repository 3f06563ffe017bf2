import http, { type Agent, type ClientRequest, type RequestOptions } from 'node:http';
import { syncBuiltinESMExports } from 'node:module';
import { accessKeyIdOf, accessRequestsOf } from './aws-requests.ts';
import { firstRefusal } from './evaluate-policy.ts';
import type { PolicyStatement } from './role-policies.ts';

/** What a sandbox needs to check its function's own DynamoDB requests, from the runner. */
export interface DirectRoute {
  /** The access checker's DynamoDB endpoint, where the function's SDK is pointed. */
  readonly checked: string;
  /** DynamoDB Local's own endpoint. */
  readonly direct: string;
  /** The function's access key: a request signed with another goes through the checker. */
  readonly accessKeyId: string;
  /** Its role's statements, resolved to local ARNs, as the checker has them. */
  readonly statements: readonly PolicyStatement[];
}

/** `addRequest` is how an agent is handed a request to give a socket; Node's typings leave it out. */
type RequestAgent = Agent & { addRequest(request: ClientRequest, options: RequestOptions): void };

type Request = typeof http.request;
type OnResponse = (response: http.IncomingMessage) => void;

const isOptions = (value: unknown): value is RequestOptions =>
  typeof value === 'object' && value !== null && !(value instanceof URL);

/** A request's headers as the checker's server reads them; undefined if one is given twice, which it reads apart. */
function headersOf(request: ClientRequest): Record<string, string> | undefined {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.getHeaders())) {
    if (Array.isArray(value)) return undefined;
    if (value !== undefined) headers[name] = String(value);
  }
  return headers;
}

/** Whether a request waits for `100 Continue`: it could not, held back until it ends. */
const waitsToContinue = (headers: RequestOptions['headers']): boolean =>
  headers !== undefined && !Array.isArray(headers) && Object.keys(headers).some((name) => /^expect$/i.test(name));

/**
 * IAM, locally, without a second hop for the requests a role allows. Installed in a function's sandbox (or a durable
 * function's host) before its bundle loads, this checks each DynamoDB request the SDK sends to the access checker,
 * as the checker would (the same functions, on the same statements). One that its role allows goes straight to
 * DynamoDB Local on the SDK's own kept-alive connections. Any other request, refused or not understood, goes to the
 * checker as before, which refuses it with AWS's error and logs the refusal: the sandbox only skips the hop where
 * the checker would forward the request unchanged. In a CPU profile of the runner with IAM on, the two socket writes
 * of each forwarded DynamoDB request (out to DynamoDB Local, and its answer back) were 1.34 s of 3,333 jobs, against
 * 0.5 s for the check itself.
 *
 * The route is chosen when the SDK ends the request with its body: until then the request waits for its socket, as a
 * request does in the tick it is made. SQS and the SES emulator run in the runner's process, so they take no second
 * hop; their requests are left as they are. Returns a function that restores `http.request`.
 */
export function installDirectRoute(route: DirectRoute): () => void {
  const checked = new URL(route.checked);
  const direct = new URL(route.direct);
  const original: Request = http.request;

  /** Whether the checker would pass `body`, the request's whole body, on unchanged. Any doubt sends it there. */
  const allowed = (request: ClientRequest, body: unknown): boolean => {
    if (typeof body !== 'string' && !Buffer.isBuffer(body)) return false;
    const headers = headersOf(request);
    if (!headers || accessKeyIdOf(headers) !== route.accessKeyId) return false;
    try {
      const requests = accessRequestsOf('dynamodb', {
        method: request.method,
        path: request.path,
        headers,
        body: body.toString(),
      });
      return !('error' in requests) && firstRefusal(route.statements, requests) === undefined;
    } catch {
      // A body the parser chokes on: the checker drops such a request's connection, as it did before.
      return false;
    }
  };

  // Left as they are: a request that makes its own connection (no agent, or its own createConnection), and one that
  // waits for 100 Continue before its body, which it would not get while held back.
  const toChecker = (options: RequestOptions): boolean =>
    (options.hostname ?? options.host) === checked.hostname &&
    String(options.port) === checked.port &&
    options.agent !== false &&
    options.createConnection === undefined &&
    !waitsToContinue(options.headers);

  const routed = (options: RequestOptions, onResponse?: OnResponse): ClientRequest => {
    const given = options.agent as Partial<RequestAgent> | undefined;
    const agent = (typeof given?.addRequest === 'function' ? given : http.globalAgent) as RequestAgent;
    let waiting: RequestOptions | undefined;
    // The request's agent in all but one thing: it holds the request back until its route is known.
    const holding: RequestAgent = Object.create(agent, {
      addRequest: {
        value: (_request: ClientRequest, held: RequestOptions) => {
          waiting = held;
        },
      },
    });
    const request = onResponse
      ? original({ ...options, agent: holding }, onResponse)
      : original({ ...options, agent: holding });
    const send = (to: URL): void => {
      if (!waiting) return;
      const held = waiting;
      waiting = undefined;
      agent.addRequest(request, { ...held, host: to.hostname, hostname: to.hostname, port: Number(to.port) });
    };
    const { write, end, destroy } = request;
    // Only a body given whole to end() is checked: one written before it goes to the checker, which reads it all.
    let written = false;
    request.write = function (this: ClientRequest, ...args: unknown[]) {
      written = true;
      return write.apply(this, args as Parameters<typeof write>);
    } as typeof write;
    request.end = function (this: ClientRequest, ...args: unknown[]) {
      const body = typeof args[0] === 'function' ? undefined : args[0];
      if (!written && allowed(this, body)) {
        // As the checker did when it forwarded a request: the Host is the one it goes to.
        if (!this.headersSent) this.setHeader('host', direct.host);
        send(direct);
      } else send(checked);
      return end.apply(this, args as Parameters<typeof end>);
    } as typeof end;
    // Destroyed before it was ended: the agent still takes it, so that Node closes it as it would any other.
    request.destroy = function (this: ClientRequest, error?: Error) {
      const result = destroy.call(this, error);
      send(checked);
      return result;
    };
    // Destroyed as it was made (an aborted signal): Node called destroy before the line above replaced it.
    if (request.destroyed) send(checked);
    return request;
  };

  const request = function (this: unknown, ...args: unknown[]) {
    const [options, onResponse] = args;
    const callback = typeof onResponse === 'function' ? (onResponse as OnResponse) : undefined;
    if (isOptions(options) && toChecker(options) && (callback || onResponse === undefined))
      return routed(options, callback);
    return Reflect.apply(original, this, args) as ClientRequest;
  } as Request;

  const install = (value: Request): void => {
    http.request = value;
    // An ESM `import { request } from 'node:http'` reads the module's own binding: bring it up to date too.
    syncBuiltinESMExports();
  };
  install(request);
  return () => install(original);
}
