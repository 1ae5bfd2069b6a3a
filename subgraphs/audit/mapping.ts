// Stored audit records -> the graph's AuditRecord. Pure.
import type { AuditRecord } from '../../platform/audit/index.js';

export type AuditRecordModel = Omit<AuditRecord, 'outcome' | 'prevHash'> & {
  outcome: 'READ' | 'NOT_FOUND' | 'ERROR' | 'DENIED' | 'WRITE_REQUESTED' | 'WRITTEN';
};

const OUTCOMES = {
  read: 'READ',
  'not-found': 'NOT_FOUND',
  error: 'ERROR',
  denied: 'DENIED',
  'write-requested': 'WRITE_REQUESTED',
  written: 'WRITTEN',
} as const;

export function toAuditRecord(record: AuditRecord): AuditRecordModel {
  const { prevHash: _prevHash, outcome, ...rest } = record;
  return { ...rest, outcome: OUTCOMES[outcome] };
}
