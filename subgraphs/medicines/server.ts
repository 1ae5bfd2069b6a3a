// The medicines subgraph (dm+d, from a FHIR terminology server): its definition for composition
// and in-process tests, and an entry point that listens when run directly.
import type { CacheTier } from '../../platform/cache.js';
import { createUpstreamClient, type UpstreamClient } from '../../platform/http.js';
import type { Logger } from '../../platform/logger.js';
import {
  loadSubgraphTypeDefs,
  startCachedSubgraph,
  type SubgraphDefinition,
} from '../../platform/subgraph.js';
import { createLoaders, type MedicinesLoaders, type MedicinesSources } from './loaders.js';
import { permissions } from './permissions.js';
import { resolvers } from './resolvers.js';
import { createDmdSource } from './source.js';

export const name = 'medicines';
export const typeDefs = loadSubgraphTypeDefs(new URL('./schema.graphql', import.meta.url));
export { resolvers };

/** `reference`: the cache tier shared by every request (and, with Redis, every replica). */
export function createMedicinesSubgraph(
  dmd: UpstreamClient,
  reference: CacheTier,
  dmdBaseUrl: string,
): SubgraphDefinition<MedicinesLoaders, MedicinesSources> {
  const cache = { tier: reference, scope: dmdBaseUrl };
  return {
    name,
    typeDefs,
    resolvers,
    permissions,
    createContext: (scope) => {
      const medicines = createDmdSource(dmd, cache, scope);
      return { ...scope, sources: { medicines }, loaders: createLoaders(medicines) };
    },
  };
}

export const startMedicinesSubgraph = (logger: Logger, env: NodeJS.ProcessEnv = process.env) =>
  startCachedSubgraph(env, logger, (config, cache) =>
    createMedicinesSubgraph(
      createUpstreamClient(config.upstreams.dmd, logger),
      cache.tier('reference'),
      config.upstreams.dmd.baseUrl,
    ),
  );
