export { createFileAuditStore } from './file-store.js';
export { createPostgresAuditStore } from './postgres-store.js';
export type { AuditStore, AuditQuery } from './store.js';
export type { AuditEvent, AuditRecord, VerifyResult } from './record.js';
export {
  createRequestAudit,
  failedRead,
  servedIfAudited,
  type RequestAudit,
  type UpstreamRead,
} from './request-audit.js';

import type { Config } from '../config.js';
import { createFileAuditStore } from './file-store.js';
import { createPostgresAuditStore } from './postgres-store.js';
import type { AuditStore } from './store.js';

/** Postgres when DATABASE_URL is set, else the embedded file store (one chain per process). */
export function createAuditStore(config: Config, chainName: string): Promise<AuditStore> {
  return config.audit.databaseUrl
    ? createPostgresAuditStore(config.audit.databaseUrl, config.audit.pgSchema)
    : Promise.resolve(createFileAuditStore(config.audit.directory, chainName));
}
