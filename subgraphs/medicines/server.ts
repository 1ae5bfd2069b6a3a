// The medicines subgraph (dm+d, from a FHIR terminology server): its definition for composition
// and in-process tests; manifest.ts declares how it is configured and run.
import type { CacheTier } from '../../platform/cache.js';
import type { UpstreamClient } from '../../platform/http.js';
import { loadSubgraphTypeDefs, type SubgraphDefinition } from '../../platform/subgraph.js';
import { createLoaders, type MedicinesLoaders, type MedicinesSources } from './loaders.js';
import { medicines } from './manifest.js';
import { permissions } from './permissions.js';
import { resolvers } from './resolvers.js';
import { createDmdSource } from './source.js';

export const typeDefs = loadSubgraphTypeDefs(medicines.schemaFile);
export { resolvers };

/** `reference`: the cache tier shared by every request (and, with Redis, every replica). */
export function createMedicinesSubgraph(
  dmd: UpstreamClient,
  reference: CacheTier,
  dmdBaseUrl: string,
): SubgraphDefinition<MedicinesLoaders, MedicinesSources> {
  const cache = { tier: reference, scope: dmdBaseUrl };
  return {
    name: medicines.name,
    typeDefs,
    resolvers,
    permissions,
    createContext: (scope) => {
      const medicines = createDmdSource(dmd, cache, scope);
      return { ...scope, sources: { medicines }, loaders: createLoaders(medicines) };
    },
  };
}
