// The organisations subgraph (ODS FHIR R4): its definition for composition and in-process tests;
// manifest.ts declares how it is configured and run.
import type { CacheTier } from '../../platform/cache.js';
import type { UpstreamClient } from '../../platform/http.js';
import { loadSubgraphTypeDefs, type SubgraphDefinition } from '../../platform/subgraph.js';
import { createLoaders, type OrganisationsLoaders, type OrganisationsSources } from './loaders.js';
import { organisations } from './manifest.js';
import { permissions } from './permissions.js';
import { resolvers } from './resolvers.js';
import { createOdsSource } from './source.js';

export const typeDefs = loadSubgraphTypeDefs(organisations.schemaFile);
export { resolvers };

/** `directory`: the cache tier shared by every request (and, with Redis, every replica). */
export function createOrganisationsSubgraph(
  ods: UpstreamClient,
  directory: CacheTier,
  odsBaseUrl: string,
): SubgraphDefinition<OrganisationsLoaders, OrganisationsSources> {
  const cache = { tier: directory, scope: odsBaseUrl };
  return {
    name: organisations.name,
    typeDefs,
    resolvers,
    permissions,
    createContext: (scope) => {
      const organisations = createOdsSource(ods, cache, scope);
      return { ...scope, sources: { organisations }, loaders: createLoaders(organisations) };
    },
  };
}
