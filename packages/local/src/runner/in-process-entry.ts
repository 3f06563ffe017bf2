import type { RequestListener, Server, ServerResponse } from 'node:http';

/**
 * How an emulator that runs in this process takes requests handed to it (`Emulator.handle`), and drops them as its
 * own port would while it is closed: the caller sees its connection cut, as it would reaching a port that is down,
 * and its SDK retries.
 */
export class InProcessEntry {
  private open = true;
  private readonly pending = new Set<ServerResponse>();

  /** @param server the emulator's HTTP server now (fauxqs builds a new one when it restarts) */
  constructor(private readonly server: () => Server) {}

  readonly handle: RequestListener = (request, response) => {
    if (!this.open) return void response.destroy();
    this.pending.add(response);
    response.once('close', () => this.pending.delete(response));
    this.server().emit('request', request, response);
  };

  /** Cuts what it is handling, and every request handed to it until `reopen`. */
  close(): void {
    this.open = false;
    for (const response of this.pending) response.destroy();
    this.pending.clear();
  }

  reopen(): void {
    this.open = true;
  }
}
