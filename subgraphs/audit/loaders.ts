// The audit subgraph reads the audit store itself; its context carries that store as a source.
import type { AuditStore } from '../../platform/audit/index.js';
import type { SubgraphContext } from '../../platform/subgraph.js';

export interface AuditSources {
  auditStore: AuditStore;
}

export type AuditContext = SubgraphContext<Record<string, never>, AuditSources>;
