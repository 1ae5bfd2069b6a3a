// Where audit records are kept: Postgres when DATABASE_URL is set (one chain shared by every
// replica), otherwise an embedded append-only file per process. Both are append-only; both are
// verified by `npm run audit:verify`.
import type { AuditEvent, AuditRecord, VerifyResult } from './record.js';

export interface AuditQuery {
  nhsNumber?: string | null;
  subject?: string | null;
  correlationId?: string | null;
  /** Records to skip (newest first). */
  offset: number;
  limit: number;
}

export interface AuditStore {
  /** Appends the events as one unit; rejects if they could not be stored durably. */
  append(events: AuditEvent[]): Promise<void>;
  /** Newest first. */
  query(query: AuditQuery): Promise<AuditRecord[]>;
  verify(): Promise<VerifyResult[]>;
  close(): Promise<void>;
}
