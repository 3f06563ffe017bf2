import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Caller } from './iam/access-checker.ts';
import { accessKeyIdOf } from './iam/aws-requests.ts';
import { evaluate } from './iam/evaluate-policy.ts';
import { DurableHosts, type DurableHostsOptions, type HostAnswer } from './durable-hosts.ts';
import { LOOPBACK } from './loopback.ts';
import { functionArn, type LocalFunction } from './local-model.ts';

export interface LambdaEndpointOptions {
  readonly hosts: DurableHosts;
  /**
   * The functions' identities by access key, when IAM is checked: a start needs lambda:InvokeFunction on the ARN it
   * names, as on AWS. Operators' keys pass. @default no check
   */
  readonly iam?: { readonly callers: ReadonlyMap<string, Caller>; readonly operatorKeys: ReadonlySet<string> };
  readonly onRefused?: (caller: Caller, action: string, resource: string, why: string) => void;
  /** Each execution started, and each callback completed, for the runner's log. */
  readonly note: (what: string) => void;
}

export interface LambdaEndpoint {
  readonly url: string;
  stop(): Promise<void>;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

/** An error as the Lambda API answers it (REST-JSON: the type in `x-amzn-ErrorType`), so the SDK throws it by name. */
function fail(response: ServerResponse, status: number, code: string, message: string): void {
  response.writeHead(status, {
    'content-type': 'application/json',
    'x-amzn-errortype': code,
    'x-amzn-requestid': randomUUID(),
  });
  response.end(JSON.stringify({ Type: 'User', Message: message, message }));
}

function answered(response: ServerResponse, answer: HostAnswer, ok: () => void): void {
  if (answer.ok) return ok();
  fail(response, answer.code === 'ResourceNotFoundException' ? 404 : 409, answer.code, answer.message);
}

const header = (request: IncomingMessage, name: string): string | undefined => {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/**
 * The part of the Lambda API that durable jobs use, locally, on 127.0.0.1: an asynchronous Invoke of a durable
 * function (the starter's), and the callback calls (`jobs callback`, or the AWS CLI with `--endpoint-url`). Functions
 * and the CLI reach it as AWS_ENDPOINT_URL_LAMBDA. A synchronous invoke, or one of a function that is not durable, is
 * refused: nothing in the stack makes one.
 */
export async function startLambdaEndpoint(options: LambdaEndpointOptions): Promise<LambdaEndpoint> {
  const byName = new Map<string, LocalFunction>(options.hosts.functions.map((fn) => [fn.name, fn]));

  /** Whether the caller may invoke `arn`; answers AccessDeniedException when not. */
  const allowed = (request: IncomingMessage, response: ServerResponse, action: string, arn: string): boolean => {
    if (!options.iam) return true;
    const key = accessKeyIdOf(request.headers) ?? '';
    if (options.iam.operatorKeys.has(key)) return true;
    const caller = options.iam.callers.get(key);
    const decision = caller
      ? evaluate(caller.statements, { action, resources: [arn], context: {} })
      : { allowed: false as const, detail: `the access key ${key} is nobody's` };
    if (decision.allowed) return true;
    if (caller) options.onRefused?.(caller, action, arn, decision.detail);
    const who = caller ? `${caller.roleName}/${caller.functionName}` : key;
    fail(
      response,
      403,
      'AccessDeniedException',
      `User: ${who} is not authorized to perform: ${action} on resource: ${arn}`,
    );
    return false;
  };

  const invoke = async (request: IncomingMessage, response: ServerResponse, target: string): Promise<void> => {
    // A name, an ARN, or either with a qualifier: `fn`, `fn:live`, `arn:aws:lambda:…:function:fn:live`.
    const [name = '', qualifier] = target.replace(/^arn:aws:lambda:[^:]*:[^:]*:function:/, '').split(':');
    const query = new URL(request.url ?? '/', 'http://lambda.local').searchParams.get('Qualifier') ?? qualifier;
    const fn = byName.get(name);
    const arn = query ? `${functionArn(name)}:${query}` : functionArn(name);
    if (!allowed(request, response, 'lambda:InvokeFunction', arn)) return;
    if (!fn)
      return fail(
        response,
        404,
        'ResourceNotFoundException',
        `Function not found: ${arn} (no durable function by that name runs locally)`,
      );
    if (header(request, 'x-amz-invocation-type') !== 'Event')
      return fail(
        response,
        400,
        'InvalidParameterValueException',
        'Locally, a durable function is started with InvocationType Event only',
      );
    if (!query)
      return fail(
        response,
        400,
        'InvalidParameterValueException',
        'A durable function is invoked by a qualified ARN (a version or alias)',
      );
    const executionName = header(request, 'x-amz-durable-execution-name') ?? randomUUID();
    const answer = await options.hosts.start(fn, arn, executionName, (await readBody(request)) || '{}');
    answered(response, answer, () => {
      options.note(`${fn.label}: durable execution ${executionName} started`);
      response.writeHead(202, { 'x-amz-durable-execution-arn': answer.ok ? (answer.arn ?? '') : '' });
      response.end();
    });
  };

  const callback = async (
    request: IncomingMessage,
    response: ServerResponse,
    id: string,
    verb: string,
  ): Promise<void> => {
    const body = await readBody(request);
    const outcome =
      verb === 'succeed'
        ? { kind: 'succeed' as const, result: body }
        : verb === 'fail'
          ? {
              kind: 'fail' as const,
              error: (body ? JSON.parse(body) : {}) as { ErrorType?: string; ErrorMessage?: string },
            }
          : { kind: 'heartbeat' as const };
    const answer = await options.hosts.callback(id, outcome);
    answered(response, answer, () => {
      options.note(`callback ${id}: ${verb}`);
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{}');
    });
  };

  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://lambda.local').pathname);
    const invocation = /^\/2015-03-31\/functions\/(.+)\/invocations$/.exec(path);
    const completion = /^\/2025-12-01\/durable-execution-callbacks\/(.+)\/(succeed|fail|heartbeat)$/.exec(path);
    const handled =
      request.method === 'POST' && invocation
        ? invoke(request, response, invocation[1]!)
        : request.method === 'POST' && completion
          ? callback(request, response, completion[1]!, completion[2]!)
          : Promise.resolve(
              fail(response, 400, 'UnsupportedOperation', `${request.method} ${path} is not served locally`),
            );
    handled.catch((error: unknown) => {
      if (!response.headersSent) fail(response, 500, 'ServiceException', String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, LOOPBACK, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${LOOPBACK}:${port}`,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export interface DurableRuntime {
  /** The Lambda endpoint's URL. */
  readonly url: string;
  stop(): Promise<void>;
}

/** The durable functions' hosts and the Lambda endpoint in front of them, or undefined for a stack with none. */
export async function startDurableRuntime(
  functions: readonly LocalFunction[],
  hosts: DurableHostsOptions,
  endpoint: Omit<LambdaEndpointOptions, 'hosts'>,
): Promise<DurableRuntime | undefined> {
  const durable = functions.filter((fn) => fn.durable);
  if (durable.length === 0) return undefined;
  const running = new DurableHosts(durable, hosts);
  const server = await startLambdaEndpoint({ ...endpoint, hosts: running });
  return {
    url: server.url,
    stop: async () => {
      await server.stop();
      await running.stop();
    },
  };
}
