// A subgraph's HTTP listener: /graphql, /health, /metrics and /status. /graphql accepts only what
// the gateway sends: a JSON POST carrying the gateway's internal token for exactly this request,
// used once (platform/internal-token.ts, platform/replay-guard.ts); anything else is refused.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HeaderMap, type ApolloServer, type HTTPGraphQLRequest } from '@apollo/server';
import { createRequestAudit, type AuditStore } from './audit/index.js';
import { listenOn } from './listen.js';
import { CORRELATION_HEADER } from './correlation.js';
import { ErrorCode } from './errors.js';
import { verifyInternalToken } from './internal-token.js';
import { logContext, type Logger } from './logger.js';
import { metricsText } from './metrics.js';
import { createMemoryReplayGuard, type ReplayGuard } from './replay-guard.js';
import {
  OVERLOADED,
  refuse,
  requestShapeRefusal,
  UNAUTHENTICATED,
  UNKNOWN_PATH,
} from './subgraph-refusals.js';
import { createSubgraphServer } from './subgraph-schema.js';
import type { SubgraphContext, SubgraphDefinition } from './subgraph.js';
import { objectiveCountsOfThisProcess } from './slo-status.js';
import { cacheStatuses, upstreamStatuses } from './upstream-stats.js';

export interface RunningSubgraph {
  url: string;
  server: Server;
  close(): Promise<void>;
}

export interface ListenOptions {
  port: number;
  host: string;
  logger: Logger;
  internalTokenSecret: Uint8Array;
  auditStore: AuditStore;
  /** Remembers internal tokens already used (platform/replay-guard.ts); this process's memory by default. */
  replayGuard?: ReplayGuard;
}

export async function listenSubgraph<L, S>(
  definition: SubgraphDefinition<L, S>,
  options: ListenOptions,
): Promise<RunningSubgraph> {
  const apollo = createSubgraphServer(definition, options.logger);
  await apollo.start();
  const guarded = { ...options, replayGuard: options.replayGuard ?? createMemoryReplayGuard() };
  const server = createServer((req, res) => {
    handle(req, res, apollo, definition, guarded).catch((error: unknown) => {
      options.logger.error({ err: error }, 'request failed');
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          errors: [{ message: 'Internal error', extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } }],
        }),
      );
    });
  });
  server.keepAliveTimeout = 65_000;
  try {
    await listenOn(server, options.port, options.host);
  } catch (error) {
    await apollo.stop(); // a started Apollo server would otherwise keep the process up
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host}:${port}/graphql`,
    server,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await apollo.stop();
    },
  };
}

const MAX_BODY_BYTES = 1_000_000;

async function handle<L, S>(
  req: IncomingMessage,
  res: ServerResponse,
  apollo: ApolloServer<SubgraphContext<L, S>>,
  definition: SubgraphDefinition<L, S>,
  options: ListenOptions & { replayGuard: ReplayGuard },
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://subgraph');
  if (url.pathname === '/health') {
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ status: 'ok', subgraph: definition.name }));
    return;
  }
  if (url.pathname === '/metrics' || url.pathname === '/status') {
    await serveOperations(url.pathname, definition.name, res);
    return;
  }
  if (url.pathname !== '/graphql') {
    refuse(res, UNKNOWN_PATH);
    return;
  }
  // Only what the gateway sends: a JSON POST, nothing in the URL (a GET's `?query=` once ran
  // whatever it named under a token signed for another body).
  const refusal = requestShapeRefusal(req, url);
  if (refusal) {
    refuse(res, refusal);
    return;
  }
  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  const text = await readBody(req);
  if (text === TOO_LARGE) {
    res
      .writeHead(413, { 'content-type': 'application/json' })
      .end(JSON.stringify({ error: 'Request body too large' }));
    return;
  }
  // Nothing runs without the gateway's token for exactly this request, used once
  // (platform/internal-token.ts, platform/replay-guard.ts).
  const bearer = /^Bearer (.+)$/.exec(headers.get('authorization') ?? '')?.[1];
  const signed = { subgraph: definition.name, method: 'POST', path: url.pathname, body: text };
  const claims = bearer ? await verifyInternalToken(bearer, signed, options.internalTokenSecret) : null;
  const use = claims ? await options.replayGuard.use(claims.tokenId, claims.expiresAt) : null;
  if (!claims || use === 'replayed') {
    refuse(res, UNAUTHENTICATED);
    return;
  }
  if (use === 'overloaded') {
    refuse(res, OVERLOADED);
    return;
  }
  const { correlationId, principal } = claims;
  const httpGraphQLRequest: HTTPGraphQLRequest = {
    method: 'POST',
    headers,
    search: '',
    body: parseJson(text),
  };
  const logger = options.logger;
  // Every line logged while this request runs carries its correlation id (platform/logger.ts).
  const result = await logContext.run({ correlationId }, () =>
    apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest,
      context: () => {
        const audit = createRequestAudit(options.auditStore, {
          correlationId,
          principal,
          logger,
          clientOperationName: claims.operationName ?? null,
        });
        return Promise.resolve(
          definition.createContext({ correlationId, logger, principal, audit, warnings: [] }),
        );
      },
    }),
  );
  for (const [key, value] of result.headers) res.setHeader(key, value);
  res.setHeader(CORRELATION_HEADER, correlationId);
  res.statusCode = result.status ?? 200;
  if (result.body.kind === 'complete') {
    res.end(result.body.string);
    return;
  }
  for await (const chunk of result.body.asyncIterator) res.write(chunk);
  res.end();
}

const TOO_LARGE = Symbol('too large');

async function readBody(req: IncomingMessage): Promise<string | typeof TOO_LARGE> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return TOO_LARGE;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // Apollo Server answers a non-JSON body with a clear 400 itself.
    return text;
  }
}

/** Operational endpoints: Prometheus metrics and this process's upstream status (no patient data). */
async function serveOperations(path: string, subgraph: string, res: ServerResponse): Promise<void> {
  if (path === '/metrics') {
    const { contentType, body } = await metricsText();
    res.writeHead(200, { 'content-type': contentType }).end(body);
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json' }).end(
    JSON.stringify({
      subgraph,
      upstreams: upstreamStatuses(),
      caches: cacheStatuses(),
      objectives: await objectiveCountsOfThisProcess().catch(() => []),
    }),
  );
}
