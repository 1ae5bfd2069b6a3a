// The organisations subgraph (ODS FHIR R4): its definition for composition and in-process tests,
// and an entry point that listens when run directly.
import type { CacheTier } from '../../platform/cache.js';
import { createUpstreamClient, type UpstreamClient } from '../../platform/http.js';
import type { Logger } from '../../platform/logger.js';
import {
  loadSubgraphTypeDefs,
  startCachedSubgraph,
  type SubgraphDefinition,
} from '../../platform/subgraph.js';
import { createLoaders, type OrganisationsLoaders, type OrganisationsSources } from './loaders.js';
import { permissions } from './permissions.js';
import { resolvers } from './resolvers.js';
import { createOdsSource } from './source.js';

export const name = 'organisations';
export const typeDefs = loadSubgraphTypeDefs(new URL('./schema.graphql', import.meta.url));
export { resolvers };

/** `directory`: the cache tier shared by every request (and, with Redis, every replica). */
export function createOrganisationsSubgraph(
  ods: UpstreamClient,
  directory: CacheTier,
  odsBaseUrl: string,
): SubgraphDefinition<OrganisationsLoaders, OrganisationsSources> {
  const cache = { tier: directory, scope: odsBaseUrl };
  return {
    name,
    typeDefs,
    resolvers,
    permissions,
    createContext: (scope) => {
      const organisations = createOdsSource(ods, cache, scope);
      return { ...scope, sources: { organisations }, loaders: createLoaders(organisations) };
    },
  };
}

export const startOrganisationsSubgraph = (logger: Logger, env: NodeJS.ProcessEnv = process.env) =>
  startCachedSubgraph(env, logger, (config, cache) =>
    createOrganisationsSubgraph(
      createUpstreamClient(config.upstreams.ods, logger),
      cache.tier('directory'),
      config.upstreams.ods.baseUrl,
    ),
  );
