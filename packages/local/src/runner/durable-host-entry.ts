import { randomUUID } from 'node:crypto';
import { LocalDurableTestRunner } from '@aws/durable-execution-sdk-js-testing';
import type { DurableHostReply, DurableHostRequest } from './durable-host-protocol.ts';
import { type DirectRoute, installDirectRoute } from './iam/direct-route.ts';
import { loadHandler } from './load-handler.ts';

/**
 * Runs inside a child process: a durable function's executions, on the durable-execution testing SDK's local runner
 * (its checkpoint server runs in a worker thread of this process). Executions run side by side; each starts under a
 * name, and a second start of that name with the same payload is the same execution, as on Lambda. Waits and
 * callback timeouts pass on real timers: the runtime scales them by the runner's clock speed.
 */
const [bundleDir = '', handlerSpec = 'index.durable', route] = process.argv.slice(2);
// Before the bundle loads, as in a sandbox: the requests its role allows go straight to DynamoDB Local.
if (route) installDirectRoute(JSON.parse(route) as DirectRoute);
type DurableHandler = ConstructorParameters<typeof LocalDurableTestRunner>[0]['handlerFunction'];
const handler = await loadHandler<DurableHandler>(bundleDir, handlerSpec);
await LocalDurableTestRunner.setupTestEnvironment();

/** The callback API of the runner's checkpoint server; the runner keeps it to itself, for its operations' use. */
interface CallbackApi {
  sendCallbackSuccess(request: { CallbackId: string; Result: string }): Promise<unknown>;
  sendCallbackFailure(request: {
    CallbackId: string;
    Error: { ErrorType?: string; ErrorMessage?: string };
  }): Promise<unknown>;
  sendCallbackHeartbeat(request: { CallbackId: string }): Promise<unknown>;
}
const callbacks = (LocalDurableTestRunner as unknown as { createDurableApi(): CallbackApi }).createDurableApi();

const executions = new Map<string, { readonly arn: string; readonly payload: string }>();
/** Callbacks answered already: as on Lambda, a callback is completed once. */
const completed = new Set<string>();
const send = (reply: DurableHostReply): void => void process.send?.(reply);

function start(request: Extract<DurableHostRequest, { type: 'start' }>): void {
  const known = executions.get(request.name);
  if (known) {
    if (known.payload === request.payload)
      return send({ type: 'started', requestId: request.requestId, arn: known.arn });
    return send({
      type: 'refused',
      requestId: request.requestId,
      code: 'DurableExecutionAlreadyStartedException',
      message: `An execution named ${request.name} runs already, with another payload`,
    });
  }
  const arn = `${request.functionArn}/durable-execution/${request.name}/${randomUUID()}`;
  executions.set(request.name, { arn, payload: request.payload });
  const runner = new LocalDurableTestRunner({ handlerFunction: handler });
  runner.run({ payload: JSON.parse(request.payload) as unknown }).then(
    (result) => {
      const status = result.getStatus() ?? 'UNKNOWN';
      const error = status === 'SUCCEEDED' ? undefined : result.getError()?.errorMessage;
      // The run's own ending, which the execution returns: SUCCEEDED, or CANCELLED for a cancelled run.
      const run = status === 'SUCCEEDED' ? (result.getResult() as { status?: unknown } | undefined)?.status : undefined;
      send({
        type: 'finished',
        name: request.name,
        status,
        ...(error === undefined ? {} : { error }),
        ...(typeof run === 'string' ? { run } : {}),
      });
    },
    (error: unknown) => send({ type: 'finished', name: request.name, status: 'FAILED', error: String(error) }),
  );
  send({ type: 'started', requestId: request.requestId, arn });
}

async function callback(request: Extract<DurableHostRequest, { type: 'callback' }>): Promise<void> {
  const { outcome, callbackId: CallbackId } = request;
  if (completed.has(CallbackId) && outcome.kind !== 'heartbeat') {
    return send({
      type: 'refused',
      requestId: request.requestId,
      code: 'ResourceNotFoundException',
      message: `Callback ${CallbackId} was completed already`,
    });
  }
  try {
    if (outcome.kind === 'succeed') await callbacks.sendCallbackSuccess({ CallbackId, Result: outcome.result });
    else if (outcome.kind === 'fail') await callbacks.sendCallbackFailure({ CallbackId, Error: outcome.error });
    else await callbacks.sendCallbackHeartbeat({ CallbackId });
    if (outcome.kind !== 'heartbeat') completed.add(CallbackId);
    send({ type: 'done', requestId: request.requestId });
  } catch (error) {
    send({
      type: 'refused',
      requestId: request.requestId,
      code: 'ResourceNotFoundException',
      message: `No callback ${CallbackId} waits here (${error instanceof Error ? error.message : String(error)})`,
    });
  }
}

process.on('message', (request: DurableHostRequest) => {
  if (request.type === 'start') start(request);
  else void callback(request);
});
send({ type: 'ready' });
