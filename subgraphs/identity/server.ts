// The identity subgraph's definition: `Query.me`, from the Principal the gateway established.
import { loadSubgraphTypeDefs, type SubgraphDefinition } from '../../platform/subgraph.js';
import { identity } from './manifest.js';
import { permissions } from './permissions.js';
import { resolvers } from './resolvers.js';

export const typeDefs = loadSubgraphTypeDefs(identity.schemaFile);
export { resolvers };

export function createIdentitySubgraph(): SubgraphDefinition<Record<string, never>, Record<string, never>> {
  return {
    name: identity.name,
    typeDefs,
    resolvers,
    permissions,
    createContext: (scope) => ({ ...scope, loaders: {}, sources: {} }),
  };
}
