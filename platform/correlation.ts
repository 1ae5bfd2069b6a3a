// One correlation id per request, end to end: kept when a client sends a sane one, minted
// otherwise, sent to subgraphs and upstreams as X-Correlation-ID.
import { randomUUID } from 'node:crypto';

export const CORRELATION_HEADER = 'x-correlation-id';
export const REQUEST_ID_HEADER = 'x-request-id';

// Accept what upstream NHS services accept and what is safe to log: no spaces or control
// characters, bounded length (a hostile header must not bloat logs or audit records).
const SAFE_CORRELATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function resolveCorrelationId(incoming: string | null | undefined): string {
  const candidate = incoming?.trim();
  return candidate && SAFE_CORRELATION_ID.test(candidate) ? candidate : randomUUID();
}
