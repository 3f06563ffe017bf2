import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import type { SandboxReply, SandboxRequest } from './sandbox-protocol.ts';

/**
 * Runs inside a child process: one Lambda execution environment. It loads the bundled asset once,
 * then runs one invocation at a time, as Lambda does.
 */
const [bundleDir = '', handlerSpec = 'index.handler', functionName = 'function', memory = '128'] =
  process.argv.slice(2);
const dot = handlerSpec.lastIndexOf('.');
const [file, exportName] = [handlerSpec.slice(0, dot), handlerSpec.slice(dot + 1)];
const candidates = ['.mjs', '.js', '.cjs'].map((extension) => join(bundleDir, `${file}${extension}`));
const entry = candidates.find((path) => existsSync(path));
if (!entry) throw new Error(`No bundle for ${handlerSpec} in ${bundleDir}`);

type Handler = (event: unknown, context: Context) => Promise<unknown>;
const module = (await import(pathToFileURL(entry).href)) as Record<string, unknown>;
const handler = module[exportName] as Handler | undefined;
if (typeof handler !== 'function') throw new Error(`${entry} exports no function "${exportName}"`);

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
