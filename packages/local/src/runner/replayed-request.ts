import { IncomingMessage } from 'node:http';

/**
 * A copy of a request whose body has been read: the same method, URL, headers and connection, with `body` to read
 * again and `host` for its Host header, as if it had been sent to that host. A handler in this process can then take
 * it as it came off the wire, without a second trip over loopback.
 */
export function replayedRequest(incoming: IncomingMessage, body: Buffer, host: string): IncomingMessage {
  const copy = new IncomingMessage(incoming.socket);
  copy.method = incoming.method;
  copy.url = incoming.url;
  copy.httpVersion = incoming.httpVersion;
  copy.httpVersionMajor = incoming.httpVersionMajor;
  copy.httpVersionMinor = incoming.httpVersionMinor;
  // Node derives both views from the parser's header count, which a copy never had: each is set, not derived.
  copy.headers = { ...incoming.headers, host };
  copy.headersDistinct = { ...incoming.headersDistinct, host: [host] };
  copy.rawHeaders = incoming.rawHeaders.map((value, i, raw) =>
    i % 2 === 1 && raw[i - 1]!.toLowerCase() === 'host' ? host : value,
  );
  copy.complete = true;
  if (body.length > 0) copy.push(body);
  copy.push(null);
  return copy;
}
