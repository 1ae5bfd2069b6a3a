// A request scope for in-process subgraph tests, built the way platform/subgraph.ts builds one.
import { createRequestAudit } from '../platform/audit/request-audit.js';
import { createMemoryAuditStore, type MemoryAuditStore } from '../platform/audit/memory-store.js';
import { createLogger } from '../platform/logger.js';
import type { Principal } from '../platform/principal.js';
import type { RequestScope } from '../platform/subgraph.js';

const logger = createLogger('test', 'silent');

export function requestScope(
  principal: Principal,
  auditStore: MemoryAuditStore = createMemoryAuditStore(),
): RequestScope {
  const correlationId = 'test-correlation';
  return {
    correlationId,
    logger,
    principal,
    audit: createRequestAudit(auditStore, { correlationId, principal, logger }),
    warnings: [],
  };
}
