// The public edge: Hive Gateway, planning from the committed supergraph (composed at build
// time; never introspected at start), with nhs-graph's plugins assembled in one place.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createGatewayRuntime, type GatewayRuntime } from '@graphql-hive/gateway-runtime';
import { unifiedGraphHandler as rustQueryPlanner } from '@graphql-hive/router-runtime';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { graphiqlOptions } from './graphiql.js';
import type { GatewayConfig } from './config.js';
import type { Logger } from '../platform/logger.js';
import { CORRELATION_HEADER, resolveCorrelationId } from '../platform/correlation.js';
import { createAuthenticator, useAuthentication } from './authentication.js';
import { correlationIdOf, useCorrelationId } from './correlation.js';
import { useOperatorEndpoints } from './operator-endpoints.js';
import { useSubgraphTrust } from './subgraph-trust.js';
import { hiveLogger } from './logging.js';
import { maskedErrors, useNoSuggestions } from './errors.js';
import { useSubgraphErrorPaths } from './subgraph-error-paths.js';
import { withAdmission } from './admission.js';
import { limitConnectionsPerAddress, slowClientServerOptions } from './connection-limits.js';
import { withOperationsAccess } from './operator-access.js';
import { withRequestIntake } from './request-intake.js';
import { useSpeculativeEntityFetches } from './speculative-fetches.js';
import { useSubgraphWarnings } from './warnings.js';
import { useCanonicalInputValidation } from './input-validation.js';
import { createKeyvStore, createRedisConnection } from '../platform/keyv-store.js';
import { corsOptions, useHttpHygiene } from './http-hygiene.js';
import { useQueryLimits } from './limits.js';
import { listenOn } from '../platform/listen.js';
import { loadPartners, partnerOperationNames } from './partners.js';
import { registerOperationNames } from '../platform/metrics.js';
import { persistedQueryStore, usePersistedDocuments } from './persisted-documents.js';
import { memoryCounter, redisCounter, useRateLimits } from './rate-limits.js';

export const SUPERGRAPH_PATH = fileURLToPath(new URL('../schema/supergraph.graphql', import.meta.url));

/** What start-up logs and /status show for GATEWAY_QUERY_PLANNER. */
export const QUERY_PLANNERS = {
  rust: 'Hive Router query planner (Rust, @graphql-hive/router-runtime)',
  js: 'Hive Gateway query planner (JavaScript, @graphql-tools/federation)',
} as const;

/** `supergraph`: the file to plan from; the committed one unless a benchmark brings its own. */
export function createGateway(
  config: GatewayConfig,
  logger: Logger,
  supergraph = SUPERGRAPH_PATH,
): GatewayRuntime {
  const development = config.env !== 'production';
  const production = !development;
  const { redis: redisConfig, edge } = config;
  const partners = loadPartners();
  // Shared by replicas when REDIS_URL is set: registered persisted queries and rate-limit counters.
  const redis = redisConfig.url === null ? null : createRedisConnection(redisConfig.url, logger);
  const apq = createKeyvStore<string>({ redis, namespace: `${redisConfig.keyPrefix}apq` });
  const counter = redis ? redisCounter(redis, `${redisConfig.keyPrefix}rate:`) : memoryCounter();
  logger.info({ queryPlanner: edge.queryPlanner }, `query planner: ${QUERY_PLANNERS[edge.queryPlanner]}`);
  return createGatewayRuntime({
    supergraph,
    // Plans and executes with Hive Router's Rust planner unless GATEWAY_QUERY_PLANNER=js: the
    // JavaScript planner (Hive Gateway's own) is for platforms its native addon is not built for.
    ...(edge.queryPlanner === 'rust' ? { unifiedGraphHandler: rustQueryPlanner } : {}),
    // Subgraph locations come from configuration, not from the URLs composed into the file.
    // No merging of identical in-flight subgraph requests (the HTTP executor's default): each
    // caller's fetch is its own, so the subgraph audits every caller shown the data, under their
    // principal and correlation id. Nor are identical inbound requests merged (Hive's option, off
    // by default, stated here so it stays off).
    inboundInflightRequestDeduplication: false,
    transportEntries: Object.fromEntries(
      Object.entries(config.subgraphs).map(([name, subgraph]) => [
        name,
        { location: subgraph.url, options: { deduplicateInflightRequests: false } },
      ]),
    ),
    graphqlEndpoint: '/graphql',
    healthCheckEndpoint: '/health',
    readinessCheckEndpoint: '/ready',
    landingPage: false,
    // GraphiQL with its assets bundled, so it works offline; development only, with a tab per
    // sandbox identity (gateway/graphiql.ts).
    graphiql: graphiqlOptions(config, logger),
    renderGraphiQL,
    ...(development ? {} : { disableIntrospection: { disableIf: () => true } }),
    maskedErrors: maskedErrors(development),
    // Hive's request id is our correlation id: read from (and returned in) X-Correlation-ID,
    // sent to subgraphs, and on every request-scoped line Hive logs.
    requestId: {
      headerName: CORRELATION_HEADER,
      generateRequestId: ({ request }) => correlationIdOf(request),
    },
    logging: hiveLogger(config, logger),
    cors: corsOptions(edge.cors),
    batching: { limit: edge.limits.batch },
    // In order: HTTP checks and size limits before parsing; then who is calling, how often, and
    // which document they may run; then token, depth, alias and cost limits on that document.
    plugins: () => [
      useCorrelationId(),
      useOperatorEndpoints(config),
      useSubgraphErrorPaths(supergraph),
      useHttpHygiene({ production }),
      ...useQueryLimits(edge.limits, { production }),
      ...(production ? [useNoSuggestions()] : []),
      useAuthentication(createAuthenticator(config, logger)),
      useRateLimits({ counter, partners, defaults: edge.rateLimit, logger }),
      usePersistedDocuments({ partners, store: persistedQueryStore(apq, edge.apqTtlSeconds), logger }),
      useCanonicalInputValidation(),
      useSubgraphTrust(
        config.internalTokenSecret,
        Object.fromEntries(Object.entries(config.subgraphs).map(([name, { url }]) => [name, url])),
      ),
      useSubgraphWarnings(),
      ...(edge.speculativeFetches ? [useSpeculativeEntityFetches()] : []),
      { onDispose: () => redis?.close() },
    ],
  });
}

/**
 * The node request listener for a gateway. The correlation id is settled (kept if sane, else
 * minted) before Hive Gateway sees the request, so Hive's request id — and with it every
 * request-scoped log line — is the correlation id. No AsyncLocalStorage here: on Node 20 it
 * cost about a fifth of the gateway's throughput (bench/results). A GraphQL request shows a
 * valid token and its whole body first (gateway/request-intake.ts), then is admitted a bounded
 * number at a time (gateway/admission.ts); /metrics and /status need the operations token in
 * production (gateway/operator-access.ts).
 */
export function gatewayRequestListener(gateway: GatewayRuntime, config: GatewayConfig, logger: Logger) {
  const { admission, operations } = config.edge;
  // Partners' persisted operations are the only operation names that become metric labels.
  registerOperationNames(partnerOperationNames());
  const serve = (req: IncomingMessage, res: ServerResponse): void => {
    void gateway.requestListener(req, res);
  };
  const intake = withRequestIntake(
    {
      authenticate: createAuthenticator(config, logger),
      bodyTimeoutMs: admission.bodyTimeoutMs,
    },
    serve,
    withAdmission(admission, serve),
  );
  return withOperationsAccess(operations, (req: IncomingMessage, res: ServerResponse): void => {
    req.headers[CORRELATION_HEADER] = resolveCorrelationId(headerValue(req.headers[CORRELATION_HEADER]));
    intake(req, res);
  });
}

export interface RunningGateway {
  url: string;
  server: Server;
  close(): Promise<void>;
}

export async function listenGateway(config: GatewayConfig, logger: Logger): Promise<RunningGateway> {
  const gateway = createGateway(config, logger);
  // Load the supergraph and build the executor before listening, so /health answers only once
  // the gateway can serve, and a supergraph that cannot load stops the start instead.
  const ready = await gateway.fetch('http://gateway.local/ready');
  if (!ready.ok) {
    await gateway.dispose();
    throw new Error(`The gateway could not load ${SUPERGRAPH_PATH} (readiness ${ready.status}).`);
  }
  const { admission } = config.edge;
  const server = createServer(
    slowClientServerOptions(admission),
    gatewayRequestListener(gateway, config, logger),
  );
  limitConnectionsPerAddress(server, admission.maxConnectionsPerAddress);
  try {
    await listenOn(server, config.gateway.port, config.host);
  } catch (error) {
    await gateway.dispose();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${config.host}:${port}/graphql`,
    server,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await gateway.dispose();
    },
  };
}

const headerValue = (value: string | string[] | undefined): string | undefined =>
  Array.isArray(value) ? value[0] : value;
