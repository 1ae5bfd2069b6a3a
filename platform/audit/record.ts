// One audit record: who read (or was denied) which patient's data, from which source, under
// which authorisation, when, and what happened. Records are chained: each carries the hash of
// the one before it, so editing or deleting any record breaks every hash after it.
import { createHash } from 'node:crypto';

/**
 * `write-requested` is recorded before a write is sent (no audit, no write), `written` once the
 * upstream accepted it; a write the upstream refused or never answered is `error`.
 */
export type AuditOutcome = 'read' | 'not-found' | 'error' | 'denied' | 'write-requested' | 'written';

export interface AuditEvent {
  /** ISO 8601 instant. */
  at: string;
  correlationId: string;
  principal: {
    kind: string;
    subject: string;
    issuer: string;
    roleId: string | null;
    orgCode: string | null;
  };
  nhsNumber: string | null;
  operationName: string | null;
  /** The upstream read (`PDS`), or `nhs-graph` for a field the graph itself denied. */
  service: string;
  resourceTypes: string[];
  /** The fields the operation asked of this service, as `Type.field`. */
  fields: string[];
  /** What allowed the access (the caller's credential basis) or the rule that denied it. */
  authorisation: string;
  outcome: AuditOutcome;
  /** An error code for outcome `error`, or the denied field for `denied`. */
  detail: string | null;
}

export interface AuditRecord extends AuditEvent {
  /** Position in its chain, from 1. */
  seq: number;
  prevHash: string;
  hash: string;
}

export const GENESIS_HASH = '0'.repeat(64);

/** The hash of a record: its predecessor's hash and its own content, in a fixed field order. */
export function hashRecord(prevHash: string, seq: number, event: AuditEvent): string {
  const canonical = JSON.stringify([
    seq,
    event.at,
    event.correlationId,
    event.principal.kind,
    event.principal.subject,
    event.principal.issuer,
    event.principal.roleId,
    event.principal.orgCode,
    event.nhsNumber,
    event.operationName,
    event.service,
    event.resourceTypes,
    event.fields,
    event.authorisation,
    event.outcome,
    event.detail,
  ]);
  return createHash('sha256').update(prevHash).update('\n').update(canonical).digest('hex');
}

export function chain(previous: { seq: number; hash: string } | null, events: AuditEvent[]): AuditRecord[] {
  let seq = previous?.seq ?? 0;
  let prevHash = previous?.hash ?? GENESIS_HASH;
  return events.map((event) => {
    seq += 1;
    const hash = hashRecord(prevHash, seq, event);
    const record = { ...event, seq, prevHash, hash };
    prevHash = hash;
    return record;
  });
}

export interface VerifyResult {
  ok: boolean;
  records: number;
  /** The first record whose hash or link does not hold (edited, inserted or after a deletion). */
  brokenAt: number | null;
}

/** Checks a whole chain in order: every link and every hash. */
export function verifyChain(records: Iterable<AuditRecord>): VerifyResult {
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  let count = 0;
  for (const record of records) {
    count += 1;
    const intact =
      record.seq === expectedSeq &&
      record.prevHash === prevHash &&
      record.hash === hashRecord(prevHash, record.seq, record);
    if (!intact) return { ok: false, records: count, brokenAt: record.seq };
    prevHash = record.hash;
    expectedSeq += 1;
  }
  return { ok: true, records: count, brokenAt: null };
}
