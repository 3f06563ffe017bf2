import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { LOOPBACK, portOrFree } from '../runner/loopback.ts';
import { registerApiRoutes, type ApiRoutesOptions } from './api-routes.ts';
import { BadRequestError, DashboardError } from './errors.ts';
import { refusal } from './request-guard.ts';

export interface DashboardServerOptions extends ApiRoutesOptions {
  /** A fixed port, or undefined for any free one; a taken port falls back to a free one. @default undefined */
  readonly port?: number;
  /** The token every change must carry. @default 32 random bytes, hex */
  readonly token?: string;
}

/** Every file the page loads, read once: the page, its script, style and icon, and uPlot from node_modules. */
interface Asset {
  readonly type: string;
  readonly body: string;
}

const PAGE_DIR = join(import.meta.dirname, 'page');
const TOKEN_PLACEHOLDER = '__JOBS_TOKEN__';
/** The page loads only its own files; no inline script runs, and no other site may frame it. */
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

function loadAssets(): Map<string, Asset> {
  const uplot = dirname(createRequire(import.meta.url).resolve('uplot/dist/uPlot.iife.min.js'));
  const file = (path: string, type: string): Asset => ({ type, body: readFileSync(path, 'utf8') });
  const icon = file(join(PAGE_DIR, 'favicon.svg'), 'image/svg+xml');
  return new Map([
    ['/favicon.svg', icon],
    // Asked for by browsers and tools that do not read the page's <link rel="icon">.
    ['/favicon.ico', icon],
    ['/assets/format.js', file(join(PAGE_DIR, 'format.js'), 'text/javascript; charset=utf-8')],
    ['/assets/dashboard.js', file(join(PAGE_DIR, 'dashboard.js'), 'text/javascript; charset=utf-8')],
    ['/assets/dashboard.css', file(join(PAGE_DIR, 'dashboard.css'), 'text/css; charset=utf-8')],
    ['/assets/uplot.js', file(join(uplot, 'uPlot.iife.min.js'), 'text/javascript; charset=utf-8')],
    ['/assets/uplot.css', file(join(uplot, 'uPlot.min.css'), 'text/css; charset=utf-8')],
  ]);
}

/** What an error tells the client: its own status for the errors made to be shown, 500 otherwise. */
function statusOf(error: FastifyError | Error): number {
  if (error instanceof DashboardError) return error.statusCode;
  // ScheduleExpressionError and the ops core's OpsInputError quote the bad value: the caller's mistake.
  if (error.name === 'ScheduleExpressionError' || error.name === 'OpsInputError') return 400;
  const code = (error as FastifyError).statusCode;
  return typeof code === 'number' && code >= 400 && code < 500 ? code : 500;
}

/**
 * The local dashboard and control API on 127.0.0.1: the page, its JSON API, and the schedule control the
 * `jobs` CLI uses under `npm start`. Changes need the run's token and the dashboard's own Origin.
 */
export class DashboardServer {
  private constructor(
    private readonly app: FastifyInstance,
    readonly url: string,
    readonly token: string,
  ) {}

  static async start(options: DashboardServerOptions): Promise<DashboardServer> {
    const token = options.token ?? randomBytes(32).toString('hex');
    const port = await portOrFree(options.port);
    const origin = `http://${LOOPBACK}:${port}`;
    const assets = loadAssets();
    const page = readFileSync(join(PAGE_DIR, 'index.html'), 'utf8').replace(TOKEN_PLACEHOLDER, token);
    const app = Fastify({ logger: false, bodyLimit: 256 * 1024 });

    // The CLI sends a JSON content type on bodyless POSTs (pause, resume, trigger): an empty body is no body.
    app.removeContentTypeParser('application/json');
    app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
      if (body === '') return done(null, undefined);
      try {
        done(null, JSON.parse(String(body)));
      } catch (error) {
        done(new BadRequestError(`The body is not JSON: ${(error as Error).message}`), undefined);
      }
    });
    app.addHook('onRequest', async (request, reply) => {
      const reason = refusal(request.method, request.headers, { origin, token });
      if (reason !== undefined) return reply.code(403).send({ error: reason });
    });
    app.addHook('onSend', async (_request, reply) => {
      reply.headers(SECURITY_HEADERS);
    });
    app.setErrorHandler((error: FastifyError, _request, reply) => {
      const status = statusOf(error);
      if (status === 500) console.error(`dashboard: ${error.stack ?? error.message}`);
      return reply.code(status).send({ error: error.message });
    });
    app.setNotFoundHandler((request, reply) =>
      reply.code(404).send({ error: `no route ${request.method} ${request.url}` }),
    );

    app.get('/', (_request, reply) => reply.type('text/html; charset=utf-8').send(page));
    for (const [path, asset] of assets) app.get(path, (_request, reply) => reply.type(asset.type).send(asset.body));
    registerApiRoutes(app, options);

    await app.listen({ port, host: LOOPBACK });
    return new DashboardServer(app, origin, token);
  }

  /** For runner.json: where it is, and the token a change must carry in the `x-jobs-token` header. */
  describe(): { url: string; token: string } {
    return { url: this.url, token: this.token };
  }

  async stop(): Promise<void> {
    await this.app.close();
  }
}
