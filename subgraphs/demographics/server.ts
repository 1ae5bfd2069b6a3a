// The demographics subgraph's definition, for composition and in-process tests; manifest.ts
// declares how it is configured and run.
import type { UpstreamClient } from '../../platform/http.js';
import type { IdempotencyStore } from '../../platform/idempotency.js';
import { loadSubgraphTypeDefs, type SubgraphDefinition } from '../../platform/subgraph.js';
import { createLoaders, type DemographicsLoaders, type DemographicsSources } from './loaders.js';
import { demographics } from './manifest.js';
import { permissions } from './permissions.js';
import { resolvers } from './resolvers.js';
import { createPdsSource, type PdsCache } from './source.js';

export const typeDefs = loadSubgraphTypeDefs(demographics.schemaFile);
export { resolvers };

/** `cache`: the `minutes` tier for stale-if-error (source.ts); without it, no fallback. */
export function createDemographicsSubgraph(
  pds: UpstreamClient,
  cache?: PdsCache,
  idempotency?: IdempotencyStore,
): SubgraphDefinition<DemographicsLoaders, DemographicsSources> {
  return {
    name: demographics.name,
    typeDefs,
    resolvers,
    permissions,
    createContext: (scope) => {
      const source = createPdsSource(pds, scope, cache, idempotency);
      return { ...scope, sources: { demographics: source }, loaders: createLoaders(source) };
    },
  };
}
