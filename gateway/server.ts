// The public edge: Hive Gateway, planning from the committed supergraph (composed at build
// time; never introspected at start), with nhs-graph's plugins assembled in one place.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createGatewayRuntime, type GatewayRuntime } from '@graphql-hive/gateway-runtime';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import type { Config } from '../platform/config.js';
import type { Logger } from '../platform/logger.js';
import { createAuthenticator, useAuthentication } from './authentication.js';
import { useCorrelationId } from './correlation.js';
import { useSubgraphTrust } from './subgraph-trust.js';
import { hiveLogger } from './logging.js';
import { maskedErrors } from './errors.js';
import { useCanonicalInputValidation } from './input-validation.js';

export const SUPERGRAPH_PATH = fileURLToPath(new URL('../schema/supergraph.graphql', import.meta.url));

export function createGateway(config: Config, logger: Logger): GatewayRuntime {
  const development = config.env !== 'production';
  return createGatewayRuntime({
    supergraph: SUPERGRAPH_PATH,
    // Subgraph locations come from configuration, not from the URLs composed into the file.
    transportEntries: Object.fromEntries(
      Object.entries(config.subgraphs).map(([name, subgraph]) => [name, { location: subgraph.url }]),
    ),
    graphqlEndpoint: '/graphql',
    healthCheckEndpoint: '/health',
    readinessCheckEndpoint: '/ready',
    landingPage: false,
    // GraphiQL with its assets bundled, so it works offline; development only.
    graphiql: development ? { title: 'nhs-graph' } : false,
    renderGraphiQL,
    ...(development ? {} : { disableIntrospection: { disableIf: () => true } }),
    maskedErrors: maskedErrors(logger, development),
    logging: hiveLogger(config, logger),
    plugins: () => [
      useCorrelationId(),
      useAuthentication(createAuthenticator(config, logger)),
      useCanonicalInputValidation(),
      useSubgraphTrust(config.internalTokenSecret),
    ],
  });
}

export interface RunningGateway {
  url: string;
  server: Server;
  close(): Promise<void>;
}

export async function listenGateway(config: Config, logger: Logger): Promise<RunningGateway> {
  const gateway = createGateway(config, logger);
  const server = createServer(gateway.requestListener);
  await new Promise<void>((resolve) => server.listen(config.gateway.port, config.host, resolve));
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
