// The audit subgraph: `Query.auditRecords` over the audit store, for information governance.
import { createAuditStore, type AuditStore } from '../../platform/audit/index.js';
import { loadConfig } from '../../platform/config.js';
import type { Logger } from '../../platform/logger.js';
import { loadSubgraphTypeDefs, startSubgraph, type SubgraphDefinition } from '../../platform/subgraph.js';
import type { AuditSources } from './loaders.js';
import { permissions } from './permissions.js';
import { resolvers } from './resolvers.js';

export const name = 'audit';
export const typeDefs = loadSubgraphTypeDefs(new URL('./schema.graphql', import.meta.url));
export { resolvers };

export function createAuditSubgraph(
  auditStore: AuditStore,
): SubgraphDefinition<Record<string, never>, AuditSources> {
  return {
    name,
    typeDefs,
    resolvers,
    permissions,
    createContext: (scope) => ({ ...scope, loaders: {}, sources: { auditStore } }),
  };
}

export async function startAuditSubgraph(logger: Logger, env: NodeJS.ProcessEnv = process.env) {
  const config = loadConfig(env);
  // The trail it reads: Postgres, or every process's embedded chain under AUDIT_DIR.
  const trail = await createAuditStore(config, 'audit-reader');
  const running = await startSubgraph(createAuditSubgraph(trail), config, logger);
  return { ...running, close: () => running.close().finally(() => trail.close()) };
}
