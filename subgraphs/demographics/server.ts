// The demographics subgraph (PDS FHIR R4): its definition for composition and in-process
// tests, and an entry point that listens when run directly.
import { loadConfig } from '../../platform/config.js';
import { createUpstreamClient, type UpstreamClient } from '../../platform/http.js';
import type { Logger } from '../../platform/logger.js';
import { loadSubgraphTypeDefs, startSubgraph, type SubgraphDefinition } from '../../platform/subgraph.js';
import { createLoaders, type DemographicsLoaders, type DemographicsSources } from './loaders.js';
import { permissions } from './permissions.js';
import { resolvers } from './resolvers.js';
import { createPdsSource } from './source.js';

export const name = 'demographics';
export const typeDefs = loadSubgraphTypeDefs(new URL('./schema.graphql', import.meta.url));
export { resolvers };

export function createDemographicsSubgraph(
  pds: UpstreamClient,
): SubgraphDefinition<DemographicsLoaders, DemographicsSources> {
  return {
    name,
    typeDefs,
    resolvers,
    permissions,
    createContext: (scope) => {
      const demographics = createPdsSource(pds, scope);
      return { ...scope, sources: { demographics }, loaders: createLoaders(demographics) };
    },
  };
}

export async function startDemographicsSubgraph(logger: Logger, env: NodeJS.ProcessEnv = process.env) {
  const config = loadConfig(env);
  return startSubgraph(
    createDemographicsSubgraph(createUpstreamClient(config.upstreams.pds, logger)),
    config,
    logger,
  );
}
