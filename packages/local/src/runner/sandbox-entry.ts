import type { Context } from 'aws-lambda';
import { type DirectRoute, installDirectRoute } from './iam/direct-route.ts';
import { loadHandler } from './load-handler.ts';
import type { SandboxReply, SandboxRequest } from './sandbox-protocol.ts';

/**
 * Runs inside a child process: one Lambda execution environment. It loads the bundled asset once,
 * then runs one invocation at a time, as Lambda does.
 */
const [bundleDir = '', handlerSpec = 'index.handler', functionName = 'function', memory = '128', route] =
  process.argv.slice(2);
// Before the bundle loads: its SDK clients then send the requests their role allows straight to DynamoDB Local.
if (route) installDirectRoute(JSON.parse(route) as DirectRoute);
type Handler = (event: unknown, context: Context) => Promise<unknown>;
const handler = await loadHandler<Handler>(bundleDir, handlerSpec);

const send = (reply: SandboxReply): void => void process.send?.(reply);

process.on('message', (request: SandboxRequest) => {
  // Set for each invocation, as Lambda's runtime does: the logger and the SDK read it from there. Spelt out, not
  // imported: this entry is built on its own, and a package it imported would resolve to its compiled dist/.
  process.env._X_AMZN_TRACE_ID = request.traceHeader;
  const context: Context = {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: memory,
    awsRequestId: request.requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, request.deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
  handler(request.event, context).then(
    (result) => send({ type: 'result', requestId: request.requestId, result }),
    (error: unknown) =>
      send({
        type: 'error',
        requestId: request.requestId,
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      }),
  );
});
send({ type: 'ready' });
