import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';

/**
 * fauxqs speaks SQS's JSON protocol only. AWS CLI releases before 2.15 (Debian's 2.9 among them) speak
 * the older query protocol: form-encoded requests and XML answers, which fauxqs would hand to its SNS
 * router. This shim translates the actions an operator uses from the CLI into JSON calls and back.
 */
const ACTIONS = new Set([
  'SendMessage',
  'GetQueueUrl',
  'ListQueues',
  'GetQueueAttributes',
  'ReceiveMessage',
  'DeleteMessage',
  'PurgeQueue',
  'ChangeMessageVisibility',
]);
const NUMERIC = new Set(['DelaySeconds', 'MaxNumberOfMessages', 'WaitTimeSeconds', 'VisibilityTimeout', 'MaxResults']);

type JsonObject = Record<string, unknown>;

/**
 * `MessageAttribute.1.Name=a&MessageAttribute.1.Value.StringValue=b`
 * → `{ MessageAttributes: { a: { StringValue: 'b' } } }`.
 */
export function queryToJson(form: Record<string, string>): JsonObject {
  const input: JsonObject = {};
  const attributes: Record<string, JsonObject> = {};
  const lists: Record<string, string[]> = {};
  const groups = new Map<string, Map<string, Record<string, string>>>();
  for (const [key, value] of Object.entries(form)) {
    if (key === 'Action' || key === 'Version') continue;
    const match = /^(MessageAttribute|Attribute)\.(\d+)\.(.+)$/.exec(key);
    if (match) {
      const [, kind, index, field] = match as unknown as [string, string, string, string];
      const byIndex = groups.get(kind) ?? new Map<string, Record<string, string>>();
      groups.set(kind, byIndex);
      byIndex.set(index, { ...byIndex.get(index), [field]: value });
      continue;
    }
    const listMatch = /^(AttributeName|MessageAttributeName|MessageSystemAttributeName)\.\d+$/.exec(key);
    if (listMatch) {
      const name = `${listMatch[1]}s`;
      lists[name] = [...(lists[name] ?? []), value];
      continue;
    }
    input[key] = NUMERIC.has(key) ? Number(value) : value;
  }
  for (const entry of groups.get('MessageAttribute')?.values() ?? []) {
    if (entry.Name)
      attributes[entry.Name] = {
        DataType: entry['Value.DataType'] ?? 'String',
        StringValue: entry['Value.StringValue'],
        BinaryValue: entry['Value.BinaryValue'],
      };
  }
  if (Object.keys(attributes).length > 0) input.MessageAttributes = attributes;
  const queueAttributes = [...(groups.get('Attribute')?.values() ?? [])].filter((entry) => entry.Name);
  if (queueAttributes.length > 0)
    input.Attributes = Object.fromEntries(queueAttributes.map((entry) => [entry.Name, entry.Value ?? '']));
  return { ...input, ...lists };
}

const escapeXml = (value: unknown): string =>
  String(value ?? '').replace(
    /[<>&'"]/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!,
  );
const tag = (name: string, value: unknown): string =>
  value === undefined || value === null ? '' : `<${name}>${escapeXml(value)}</${name}>`;

function resultXml(action: string, output: JsonObject): string {
  switch (action) {
    case 'SendMessage':
      return (
        tag('MessageId', output.MessageId) +
        tag('MD5OfMessageBody', output.MD5OfMessageBody) +
        tag('MD5OfMessageAttributes', output.MD5OfMessageAttributes)
      );
    case 'GetQueueUrl':
      return tag('QueueUrl', output.QueueUrl);
    case 'ListQueues':
      return ((output.QueueUrls ?? []) as string[]).map((url) => tag('QueueUrl', url)).join('');
    case 'GetQueueAttributes':
      return Object.entries((output.Attributes ?? {}) as Record<string, string>)
        .map(([name, value]) => `<Attribute>${tag('Name', name)}${tag('Value', value)}</Attribute>`)
        .join('');
    case 'ReceiveMessage':
      return ((output.Messages ?? []) as JsonObject[])
        .map((message) => {
          const system = Object.entries((message.Attributes ?? {}) as Record<string, string>).map(
            ([n, v]) => `<Attribute>${tag('Name', n)}${tag('Value', v)}</Attribute>`,
          );
          const custom = Object.entries((message.MessageAttributes ?? {}) as Record<string, JsonObject>).map(
            ([n, v]) =>
              `<MessageAttribute>${tag('Name', n)}` +
              `<Value>${tag('StringValue', v.StringValue)}${tag('DataType', v.DataType)}</Value></MessageAttribute>`,
          );
          const fields = [
            tag('MessageId', message.MessageId),
            tag('ReceiptHandle', message.ReceiptHandle),
            tag('MD5OfBody', message.MD5OfBody),
            tag('Body', message.Body),
          ];
          return `<Message>${fields.join('')}${system.join('')}${custom.join('')}</Message>`;
        })
        .join('');
    default:
      return '';
  }
}

/** Installs the shim on a fauxqs app before it listens. */
export function acceptSqsQueryProtocol(app: FastifyInstance): void {
  app.addHook('preHandler', async (request, reply) => {
    const body = request.body as Record<string, string> | undefined;
    const isForm = String(request.headers['content-type'] ?? '').includes('x-www-form-urlencoded');
    if (request.method !== 'POST' || !isForm || !body || !ACTIONS.has(body.Action ?? '')) return;
    const action = body.Action!;
    const answer = await app.inject({
      method: 'POST',
      url: '/',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': `AmazonSQS.${action}`,
        host: String(request.headers.host ?? ''),
      },
      payload: JSON.stringify(queryToJson(body)),
    });
    const output = (answer.body ? JSON.parse(answer.body) : {}) as JsonObject;
    const requestId = `<ResponseMetadata>${tag('RequestId', randomUUID())}</ResponseMetadata>`;
    const xml =
      answer.statusCode >= 400
        ? `<ErrorResponse><Error><Type>Sender</Type>${tag(
            'Code',
            String(output.__type ?? 'Error')
              .split('#')
              .pop(),
          )}${tag('Message', output.message)}</Error>${requestId}</ErrorResponse>`
        : `<${action}Response xmlns="http://queue.amazonaws.com/doc/2012-11-05/">` +
          `<${action}Result>${resultXml(action, output)}</${action}Result>${requestId}</${action}Response>`;
    return reply.status(answer.statusCode).header('content-type', 'text/xml').send(xml);
  });
}
