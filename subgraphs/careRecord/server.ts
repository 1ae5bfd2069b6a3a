// The careRecord subgraph (GP Connect Access Record: Structured and Appointment Management, FHIR
// STU3): its definition for composition and in-process tests, and an entry point that listens
// when run directly. Clinical data is never cached: there is no cache tier here at all.
import { createUpstreamClient, type UpstreamClient } from '../../platform/http.js';
import type { IdempotencyStore } from '../../platform/idempotency.js';
import type { Logger } from '../../platform/logger.js';
import {
  loadSubgraphTypeDefs,
  startCachedSubgraph,
  type SubgraphDefinition,
} from '../../platform/subgraph.js';
import { createLoaders, type CareRecordLoaders, type CareRecordSources } from './loaders.js';
import { permissions } from './permissions.js';
import { resolvers } from './resolvers.js';
import { createGpConnectSource, type GpConnectSettings } from './source.js';

export const name = 'careRecord';
export const typeDefs = loadSubgraphTypeDefs(new URL('./schema.graphql', import.meta.url));
export { resolvers };

/** `idempotency`: the store keyed writes (book, cancel) go through; without it they are refused. */
export function createCareRecordSubgraph(
  gpconnect: UpstreamClient,
  settings: GpConnectSettings,
  idempotency?: IdempotencyStore,
): SubgraphDefinition<CareRecordLoaders, CareRecordSources> {
  return {
    name,
    typeDefs,
    resolvers,
    permissions,
    createContext: (scope) => {
      const careRecord = createGpConnectSource(gpconnect, settings, scope, idempotency);
      return { ...scope, sources: { careRecord }, loaders: createLoaders(careRecord) };
    },
  };
}

// startCachedSubgraph for its idempotency store; the cache it also builds is never used here.
export const startCareRecordSubgraph = (logger: Logger, env: NodeJS.ProcessEnv = process.env) =>
  startCachedSubgraph(env, logger, (config, _cache, idempotency) =>
    createCareRecordSubgraph(
      createUpstreamClient(config.upstreams.gpconnect, logger),
      { baseUrl: config.upstreams.gpconnect.baseUrl, consumer: config.gpconnect },
      idempotency,
    ),
  );
