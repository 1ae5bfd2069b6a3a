// What every subgraph shares: its SDL (canonical types + its own schema), an Apollo Server
// built with buildSubgraphSchema, error masking, and a small HTTP server with /graphql and
// /health. A subgraph's server.ts supplies only its name, SDL, resolvers and context factory.
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, HeaderMap, type HTTPGraphQLRequest } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse, type DocumentNode, type GraphQLFormattedError } from 'graphql';
import { applyMiddleware, type IMiddlewareFunction, type IMiddlewareGenerator } from 'graphql-middleware';
import type { ApolloServerPlugin } from '@apollo/server';
import { CORRELATION_HEADER } from './correlation.js';
import { ErrorCode } from './errors.js';
import { logContext, type Logger } from './logger.js';
import { graphqlRequests, metricsText, operationLabel } from './metrics.js';
import { cacheStatuses, upstreamStatuses } from './upstream-stats.js';
import { createAuditStore, createRequestAudit, type AuditStore, type RequestAudit } from './audit/index.js';
import { operationFields } from './audit/operation-fields.js';
import { auditDenials } from './authorisation.js';
import { createCache, type Cache } from './cache.js';
import { loadConfig, type Config } from './config.js';
import { createIdempotencyStore, type IdempotencyStore } from './idempotency.js';
import { createRedisConnection } from './keyv-store.js';
import { verifyInternalToken } from './internal-token.js';
import { createMemoryReplayGuard, createRedisReplayGuard, type ReplayGuard } from './replay-guard.js';
import {
  OVERLOADED,
  refuse,
  requestShapeRefusal,
  UNAUTHENTICATED,
  UNKNOWN_PATH,
} from './subgraph-refusals.js';
import type { Principal } from './principal.js';
import { scalarResolvers } from './scalars.js';
import { ageInSeconds, type Provenance } from './canonical.js';

export interface RequestScope {
  correlationId: string;
  logger: Logger;
  /** The caller, as the gateway established it; every field's rule reads it. */
  principal: Principal;
  /** This request's audit trail: sources record upstream reads, the shield records denials. */
  audit: RequestAudit;
  /** Warnings for the response's `extensions.warnings` (e.g. STALE_DATA); resolvers add them. */
  warnings: ResponseWarning[];
}

/** Something the client should know about data it was given, sent in `extensions.warnings`. */
export interface ResponseWarning {
  /** `STALE_DATA`: served from cache because the service failed; `ageSeconds` says how old. */
  code: 'STALE_DATA';
  /** Where the data is in this subgraph's response (the gateway's client path may differ). */
  path: ReadonlyArray<string | number>;
  service: string;
  ageSeconds: number;
  message: string;
}

export interface SubgraphContext<Loaders, Sources = unknown> extends RequestScope {
  /** Per-request DataLoaders, for reads by key. */
  loaders: Loaders;
  /** Per-request sources, for calls that are not by key (searches, writes). */
  sources: Sources;
}

export interface SubgraphDefinition<Loaders, Sources = unknown> {
  name: string;
  typeDefs: DocumentNode;
  /** The subgraph's resolver map, typed by its generated `Resolvers` type. */
  resolvers: object;
  /** graphql-shield rules for every field (platform/authorisation.ts createPermissions). */
  permissions: IMiddlewareGenerator<unknown, unknown, unknown>;
  /** Builds sources and loaders afresh for each request. */
  createContext(scope: RequestScope): SubgraphContext<Loaders, Sources>;
}

const SHARED_SDL = new URL('../schema/shared.graphql', import.meta.url);

/** The subgraph's SDL: the canonical shared types followed by its own schema.graphql. */
export function loadSubgraphTypeDefs(schemaFile: URL): DocumentNode {
  return parse(`${readFileSync(SHARED_SDL, 'utf8')}\n${readFileSync(schemaFile, 'utf8')}`);
}

export function createSubgraphServer<L, S>(
  definition: SubgraphDefinition<L, S>,
  logger: Logger,
): ApolloServer<SubgraphContext<L, S>> {
  return new ApolloServer<SubgraphContext<L, S>>({
    // The shield wraps every resolver, including _entities' reference resolution.
    schema: applyMiddleware(
      buildSubgraphSchema({
        typeDefs: definition.typeDefs,
        resolvers: { ...scalarResolvers, Provenance: provenanceResolvers, ...definition.resolvers },
      }),
      // Outermost first: the denial auditor sees what the shield decides.
      auditDenials as IMiddlewareFunction,
      definition.permissions,
    ),
    includeStacktraceInErrorResponses: false,
    // Shutdown is platform/process.ts's: Apollo's own SIGTERM handler deadlocked stop() with ours.
    stopOnTerminationSignals: false,
    // No Apollo Studio here: federated tracing would only add work to every request.
    plugins: [
      ApolloServerPluginInlineTraceDisabled(),
      auditPlugin<SubgraphContext<L, S>>(definition.name),
      warningsPlugin<SubgraphContext<L, S>>(),
    ],
    formatError: (formatted, error) => maskUnexpectedError(formatted, error, logger),
  });
}

const EXPOSED_CODES = new Set<string>([
  ...Object.values(ErrorCode),
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'OPERATION_RESOLUTION_FAILURE',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);

/** Our own coded errors pass through; anything else is a bug and is logged, not shown. */
function maskUnexpectedError(
  formatted: GraphQLFormattedError,
  error: unknown,
  logger: Logger,
): GraphQLFormattedError {
  const code = formatted.extensions?.['code'];
  if (typeof code === 'string' && EXPOSED_CODES.has(code) && code !== ErrorCode.INTERNAL_SERVER_ERROR) {
    return formatted;
  }
  logger.error({ err: error, path: formatted.path }, 'unexpected resolver error');
  return {
    message: 'Something went wrong in nhs-graph; the error has been logged.',
    ...(formatted.path ? { path: formatted.path } : {}),
    extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
  };
}

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

/** Runs a subgraph as its own process, with its port, secret and audit store from configuration. */
export async function startSubgraph<L, S>(
  definition: SubgraphDefinition<L, S>,
  config: Config,
  logger: Logger,
): Promise<RunningSubgraph> {
  const auditStore = await createAuditStore(config, definition.name);
  // Replicas of a subgraph share one seen-set of internal tokens when Redis is configured.
  const redis = config.redis.url ? createRedisConnection(config.redis.url, logger) : null;
  const replayGuard = redis
    ? createRedisReplayGuard({ redis, prefix: `${config.redis.keyPrefix}jti:${definition.name}:`, logger })
    : createMemoryReplayGuard();
  const closeStores = async () => {
    // destroy, not close: close waits for a reconnect that may never come when Redis is down.
    redis?.destroy();
    await Promise.all([auditStore.close(), replayGuard.close()]);
  };
  try {
    const running = await listenSubgraph(definition, {
      port: config.subgraphs[definition.name as keyof Config['subgraphs']].port,
      host: config.host,
      logger,
      internalTokenSecret: config.internalTokenSecret,
      auditStore,
      replayGuard,
    });
    return { ...running, close: () => running.close().finally(closeStores) };
  } catch (error) {
    await closeStores();
    throw error;
  }
}

/**
 * Runs a subgraph whose sources use the shared stores: the cache tiers and the idempotency store
 * for keyed writes, built from configuration, handed to `build`, and closed with the subgraph (or
 * if it fails to start).
 */
export async function startCachedSubgraph<L, S>(
  env: NodeJS.ProcessEnv,
  logger: Logger,
  build: (config: Config, cache: Cache, idempotency: IdempotencyStore) => SubgraphDefinition<L, S>,
): Promise<RunningSubgraph> {
  const config = loadConfig(env);
  const cache = createCache(config, logger);
  const idempotency = createIdempotencyStore(config, logger);
  const closeStores = () => Promise.all([cache.close(), idempotency.close()]).then(() => undefined);
  try {
    const running = await startSubgraph(build(config, cache, idempotency), config, logger);
    return { ...running, close: () => running.close().finally(closeStores) };
  } catch (error) {
    await closeStores();
    throw error;
  }
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
  await new Promise<void>((resolve) => server.listen(options.port, options.host, resolve));
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
        const audit = createRequestAudit(options.auditStore, { correlationId, principal, logger });
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

/** Tells the request's audit trail which operation and fields it serves, flushes denials, counts outcomes. */
/** Every subgraph's Provenance: `ageSeconds` from the source when it set one, else from retrievedAt. */
const provenanceResolvers = {
  ageSeconds: (provenance: Provenance): number =>
    provenance.ageSeconds ?? ageInSeconds(provenance.retrievedAt),
};

/**
 * Adds the request's warnings to the response's `extensions.warnings`; the gateway passes them
 * on to the client (gateway/warnings.ts). Not errors: the data is answered, and Hive Gateway
 * drops errors on fields that resolved to data anyway.
 */
function warningsPlugin<TContext extends RequestScope>(): ApolloServerPlugin<TContext> {
  return {
    requestDidStart: () =>
      Promise.resolve({
        willSendResponse: ({ contextValue, response }) => {
          if (contextValue.warnings.length > 0 && response.body.kind === 'single') {
            const result = response.body.singleResult;
            result.extensions = { ...result.extensions, warnings: [...contextValue.warnings] };
          }
          return Promise.resolve();
        },
      }),
  };
}

function auditPlugin<TContext extends RequestScope>(component: string): ApolloServerPlugin<TContext> {
  return {
    requestDidStart: () =>
      Promise.resolve({
        didResolveOperation: ({ contextValue, operationName, document, schema }) => {
          contextValue.audit.setOperation(operationName ?? null, operationFields(schema, document));
          return Promise.resolve();
        },
        willSendResponse: ({ contextValue, operationName, response }) => {
          const errors = response.body.kind === 'single' ? response.body.singleResult.errors : undefined;
          const code = errors?.[0]?.extensions?.['code'];
          graphqlRequests.inc({
            component,
            operation: operationLabel(operationName),
            outcome: typeof code === 'string' ? code : errors ? 'error' : 'ok',
          });
          return contextValue.audit.flush();
        },
      }),
  };
}

/** Operational endpoints: Prometheus metrics and this process's upstream status (no patient data). */
async function serveOperations(path: string, subgraph: string, res: ServerResponse): Promise<void> {
  if (path === '/metrics') {
    const { contentType, body } = await metricsText();
    res.writeHead(200, { 'content-type': contentType }).end(body);
    return;
  }
  res
    .writeHead(200, { 'content-type': 'application/json' })
    .end(JSON.stringify({ subgraph, upstreams: upstreamStatuses(), caches: cacheStatuses() }));
}
