// The demographics subgraph (PDS FHIR R4): its definition for composition and in-process
// tests, and an entry point that listens when run directly.
import { createUpstreamClient, type UpstreamClient } from '../../platform/http.js';
import type { IdempotencyStore } from '../../platform/idempotency.js';
import type { Logger } from '../../platform/logger.js';
import {
  loadSubgraphTypeDefs,
  startCachedSubgraph,
  type SubgraphDefinition,
} from '../../platform/subgraph.js';
import { createLoaders, type DemographicsLoaders, type DemographicsSources } from './loaders.js';
import { permissions } from './permissions.js';
import { resolvers } from './resolvers.js';
import { createPdsSource, type PdsCache } from './source.js';

export const name = 'demographics';
export const typeDefs = loadSubgraphTypeDefs(new URL('./schema.graphql', import.meta.url));
export { resolvers };

/** `cache`: the `demographics` tier for stale-if-error (source.ts); without it, no fallback. */
export function createDemographicsSubgraph(
  pds: UpstreamClient,
  cache?: PdsCache,
  idempotency?: IdempotencyStore,
): SubgraphDefinition<DemographicsLoaders, DemographicsSources> {
  return {
    name,
    typeDefs,
    resolvers,
    permissions,
    createContext: (scope) => {
      const demographics = createPdsSource(pds, scope, cache, idempotency);
      return { ...scope, sources: { demographics }, loaders: createLoaders(demographics) };
    },
  };
}

export const startDemographicsSubgraph = (logger: Logger, env: NodeJS.ProcessEnv = process.env) =>
  startCachedSubgraph(env, logger, (config, cache, idempotency) =>
    createDemographicsSubgraph(
      createUpstreamClient(config.upstreams.pds, logger),
      {
        tier: cache.tier('demographics'),
        scope: config.upstreams.pds.baseUrl,
        staleIfErrorSeconds: config.cache.demographicsStaleIfErrorSeconds ?? 0,
      },
      idempotency,
    ),
  );
