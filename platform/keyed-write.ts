// How every write to a national service runs: once per caller, operation and idempotency key
// (platform/idempotency.ts, with the upstream request id derived from the key, so a retried or
// repeated write is one write upstream), and recorded in the audit trail before it is sent (a
// write nhs-graph cannot audit is not sent), then as written or failed.
import type { RequestAudit } from './audit/request-audit.js';
import { ErrorCode, errorCodeOf, graphError } from './errors.js';
import { requestIdFor, type IdempotencyStore, type IdempotentWrite } from './idempotency.js';
import type { Principal } from './principal.js';

export interface WriteKey {
  /** e.g. `bookAppointment`: the same key for another operation is another write. */
  operation: string;
  key: string;
  /** The write's input: the same key with another input is refused (IDEMPOTENCY_KEY_REUSED). */
  input: unknown;
}

export interface WriteScope {
  principal: Pick<Principal, 'issuer' | 'subject'>;
  /** Undefined where writes are not configured: every write is refused. */
  idempotency: IdempotencyStore | undefined;
}

/**
 * Runs `write` once per caller, operation and key; its upstream request id is derived from the
 * key. Reads the write needs (the current record, the patient's id) run inside it.
 */
export function keyedWrite<T>(
  scope: WriteScope,
  writeKey: WriteKey,
  write: (requestId: string) => Promise<T>,
): Promise<T> {
  if (scope.idempotency === undefined)
    throw graphError(ErrorCode.IDEMPOTENCY_UNAVAILABLE, 'Writes are not enabled in this deployment.');
  const claim: IdempotentWrite = {
    ...writeKey,
    caller: `${scope.principal.issuer}|${scope.principal.subject}`,
  };
  return scope.idempotency.once(claim, () => write(requestIdFor(claim)));
}

/**
 * Sends one write, audited: `write-requested` before it is sent (if that cannot be recorded,
 * nothing is sent), then `written` or `error`. Once sent, an audit failure is logged by the audit
 * store rather than turned into an error: the caller learns what happened to their write.
 */
export async function auditedWrite<T>(
  service: string,
  audit: Pick<RequestAudit, 'recordAccess'>,
  target: { nhsNumber: string; resourceTypes: string[] },
  requestId: string,
  send: () => Promise<T>,
): Promise<T> {
  await audit.recordAccess(service, [{ ...target, outcome: 'write-requested', detail: requestId }]);
  try {
    const result = await send();
    await audit
      .recordAccess(service, [{ ...target, outcome: 'written', detail: requestId }])
      .catch(() => undefined);
    return result;
  } catch (error) {
    await audit
      .recordAccess(service, [{ ...target, outcome: 'error', detail: errorCodeOf(error) ?? null }])
      .catch(() => undefined);
    throw error;
  }
}
