import { relative } from 'node:path';
import { emulatorEnvironment } from './emulators.ts';
import type { LocalStack } from './local-stack.ts';

/** What the user sees once everything is up: endpoints, queues, and how to point the AWS CLI or SDK at them. */
export function readyMessage(stack: LocalStack, seconds: number): string {
  const env = emulatorEnvironment(stack.emulators);
  const { sqs, dynamodb, ses } = stack.emulators;
  const rows = stack.model.mappings.map((mapping) => {
    const fn = stack.model.functions.find((f) => f.logicalId === mapping.functionLogicalId);
    const queue = stack.model.queues.find((q) => q.logicalId === mapping.queueLogicalId);
    const lanes = fn && stack.pollerOf(fn.label)?.laneCount;
    const capped =
      lanes !== undefined && lanes < mapping.maxConcurrency
        ? `   (${lanes} lanes of its ${mapping.maxConcurrency}, --max-lanes)`
        : '';
    return { name: fn?.label ?? mapping.logicalId, rest: `${queue?.url}${capped}` };
  });
  const width = Math.max(0, ...rows.map((row) => row.name.length));
  const queues = rows.map((row) => `    ${row.name.padEnd(width)}  ${row.rest}`);
  const lambda = stack.describe().endpoints.lambda;
  const exports = Object.entries({ ...env, ...(lambda ? { AWS_ENDPOINT_URL_LAMBDA: lambda } : {}) })
    .filter(([name]) => name !== 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED')
    .map(([name, value]) => `export ${name}=${value}`);
  return [
    '',
    `serverless-jobs is running locally (ready in ${seconds.toFixed(1)} s): ` +
      `${stack.model.functions.length} functions, ${stack.model.schedules.length} schedules, clock ` +
      `×${stack.clock.speed}`,
    `  SQS (fauxqs)              ${sqs.endpoint}`,
    `  DynamoDB Local            ${dynamodb.endpoint}`,
    `  SES (aws-ses-v2-local)    ${ses.endpoint}   e-mails received: ${ses.endpoint}/  (JSON: ${ses.endpoint}/store)`,
    ...(lambda ? [`  Lambda (durable jobs)     ${lambda}   (callbacks; --endpoint-url for the AWS CLI)`] : []),
    ...(stack.dashboard
      ? [
          `  Dashboard                 ${stack.dashboard.url}/   (its control API wants the token in ` +
            `${relative(process.cwd(), stack.stateFile)})`,
        ]
      : []),
    '  Job queues:',
    ...queues,
    '',
    '  Point the AWS CLI or an SDK at it:',
    ...exports.map((line) => `    ${line}`),
    // No example body: only the app knows a payload that its job will take (an order that exists, say).
    '  Then, for example (AWS CLI v1, and v2 before 2.13, need --endpoint-url):',
    `    aws sqs list-queues --endpoint-url ${sqs.endpoint}`,
    `    aws sqs send-message --endpoint-url ${sqs.endpoint} --queue-url <a job queue above> ` +
      `--message-body '<its payload, as JSON>'`,
  ].join('\n');
}
