// The identity subgraph: `Query.me`, from the Principal the gateway established.
import { loadConfig } from '../../platform/config.js';
import type { Logger } from '../../platform/logger.js';
import { loadSubgraphTypeDefs, startSubgraph, type SubgraphDefinition } from '../../platform/subgraph.js';
import { permissions } from './permissions.js';
import { resolvers } from './resolvers.js';

export const name = 'identity';
export const typeDefs = loadSubgraphTypeDefs(new URL('./schema.graphql', import.meta.url));
export { resolvers };

export function createIdentitySubgraph(): SubgraphDefinition<Record<string, never>, Record<string, never>> {
  return {
    name,
    typeDefs,
    resolvers,
    permissions,
    createContext: (scope) => ({ ...scope, loaders: {}, sources: {} }),
  };
}

export async function startIdentitySubgraph(logger: Logger, env: NodeJS.ProcessEnv = process.env) {
  return startSubgraph(createIdentitySubgraph(), loadConfig(env), logger);
}
