// The audit subgraph's definition: `Query.auditRecords` over the audit store, for information governance.
import type { AuditStore } from '../../platform/audit/index.js';
import { loadSubgraphTypeDefs, type SubgraphDefinition } from '../../platform/subgraph.js';
import type { AuditSources } from './loaders.js';
import { audit } from './manifest.js';
import { permissions } from './permissions.js';
import { resolvers } from './resolvers.js';

export const typeDefs = loadSubgraphTypeDefs(audit.schemaFile);
export { resolvers };

export function createAuditSubgraph(
  auditStore: AuditStore,
): SubgraphDefinition<Record<string, never>, AuditSources> {
  return {
    name: audit.name,
    typeDefs,
    resolvers,
    permissions,
    createContext: (scope) => ({ ...scope, loaders: {}, sources: { auditStore } }),
  };
}
