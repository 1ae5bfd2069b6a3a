// nhs-graph's own gateway exactly as the product assembles it (createGateway: every plugin in
// gateway/server.ts — token verification against the sandbox issuers' JWKS, limits, rate limits,
// persisted documents, a signed internal token on every subgraph call, ... — with production
// settings), planning from the benchmark supergraph instead of the product's.
// Env: the product's usual configuration (SANDBOX_PORT for the issuers, NODE_ENV, LOG_LEVEL,
// INTERNAL_TOKEN_SECRET) plus BENCH_GATEWAY_PORT, BENCH_SUPERGRAPH, BENCH_SUBGRAPH_URLS.
import { createGateway, gatewayRequestListener } from '../../gateway/server.js';
import { loadGatewayConfig, type GatewayConfig } from '../../gateway/config.js';
import { createLogger } from '../../platform/logger.js';
import { benchEnv, serveUntilSignal } from './serve.js';

const config = loadGatewayConfig();
// As gateway/main.ts does: Hive Gateway's logger must take its level from our configuration only.
delete process.env['LOG_LEVEL'];
const urls = JSON.parse(benchEnv('BENCH_SUBGRAPH_URLS')) as Record<string, string>;
// The product's Config names its own subgraphs; here the same shape carries the benchmark's four.
const subgraphs = Object.fromEntries(
  Object.entries(urls).map(([name, url]) => [name, { port: Number(new URL(url).port), url }]),
) as GatewayConfig['subgraphs'];
const logger = createLogger('gateway', config.logLevel);
const gateway = createGateway({ ...config, subgraphs }, logger, benchEnv('BENCH_SUPERGRAPH'));
// Served exactly as listenGateway (gateway/server.ts) serves it.
await serveUntilSignal(gatewayRequestListener(gateway, { ...config, subgraphs }, logger), () =>
  gateway.dispose(),
);
