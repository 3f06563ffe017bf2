import { once } from 'node:events';
import { createServer, type IncomingMessage, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { text } from 'node:stream/consumers';
import { expect, it } from 'vitest';
import { replayedRequest } from '../src/runner/replayed-request.ts';

/** What a handler reads off the copy, taken in the server that received the original. */
interface Read {
  readonly headers: IncomingMessage['headers'];
  readonly headersDistinct: IncomingMessage['headersDistinct'];
  readonly rawHeaders: string[];
  readonly method?: string;
  readonly url?: string;
  readonly body: string;
}

async function replayOnce(body: string, headers: [string, string][]): Promise<Read> {
  let read: Promise<Read> | undefined;
  const server = createServer((incoming, response) => {
    read = (async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of incoming) chunks.push(chunk as Buffer);
      const copy = replayedRequest(incoming, Buffer.concat(chunks), '127.0.0.1:4566');
      const { headers, headersDistinct, rawHeaders, method, url } = copy;
      return { headers, headersDistinct, rawHeaders, method, url, body: await text(copy) };
    })();
    // Answered either way: a copy that fails to read fails the test at `await read`, not by a timeout.
    const answer = () => void response.end('ok');
    read.then(answer, answer);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const { port } = server.address() as AddressInfo;
    // As a flat list Node sends the headers as given, a header twice included, and adds none of its own.
    const raw = [['Host', `127.0.0.1:${port}`], ['Content-Length', String(Buffer.byteLength(body))], ...headers].flat();
    const sent = request({ host: '127.0.0.1', port, method: 'POST', path: '/queue?x=1', headers: raw });
    sent.end(body);
    const [answer] = (await once(sent, 'response')) as [IncomingMessage];
    await text(answer);
    return await read!;
  } finally {
    server.close();
  }
}

it('gives the handler the same request, sent to the other host, with its body to read again', async () => {
  const read = await replayOnce('{"a":1}', [
    ['X-Amz-Target', 'AmazonSQS.SendMessage'],
    ['X-Tag', 'one'],
    ['X-Tag', 'two'],
  ]);
  expect(read).toMatchObject({ method: 'POST', url: '/queue?x=1', body: '{"a":1}' });
  expect(read.headers).toMatchObject({
    host: '127.0.0.1:4566',
    'x-amz-target': 'AmazonSQS.SendMessage',
    'x-tag': 'one, two',
  });
  expect(read.headersDistinct).toMatchObject({
    host: ['127.0.0.1:4566'],
    'x-amz-target': ['AmazonSQS.SendMessage'],
    'x-tag': ['one', 'two'],
  });
  const raw = Object.fromEntries(read.rawHeaders.flatMap((value, i, all) => (i % 2 ? [] : [[value, all[i + 1]]])));
  expect(raw).toMatchObject({ Host: '127.0.0.1:4566', 'X-Amz-Target': 'AmazonSQS.SendMessage' });
});

it('replays a request without a body as one that ends at once', async () => {
  const read = await replayOnce('', [['X-Amz-Target', 'AmazonSQS.ListQueues']]);
  expect(read.body).toBe('');
});
