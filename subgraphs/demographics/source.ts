// The PDS adapter behind a stable interface. The only place the demographics subgraph makes
// network calls; FHIR parsing and mapping are delegated to fhir.ts and mapping.ts.
//
// Stale-if-error (the `demographics` cache tier): every read still goes to PDS — a record can
// change at any moment (a death, a new address, a restriction), so nothing is served from cache
// while PDS answers. Each good read is kept, keyed by PDS instance and NHS number asked for
// (never a caller or token), for the tier's TTL plus DEMOGRAPHICS_STALE_IF_ERROR_SECONDS (RFC
// 5861's max-age + stale-if-error). When PDS cannot answer (UPSTREAM_UNAVAILABLE: 5xx, timeout,
// network, open breaker; or RATE_LIMITED) a kept record within that window is served with
// `provenance.stale = true`, its original `retrievedAt` and its `ageSeconds`; beyond it the
// error stands. What is kept is the mapped record, so a restricted patient's address, telecom
// and GP were withheld before it was stored. A definitive "no such patient" drops the entry.
import type { GraphQLError } from 'graphql';
import type { CacheTier } from '../../platform/cache.js';
import { ageInSeconds } from '../../platform/canonical.js';
import { mapWithConcurrency } from '../../platform/concurrency.js';
import { type UpstreamClient, upstreamPath } from '../../platform/http.js';
import { failedRead, servedIfAudited, type UpstreamRead } from '../../platform/audit/index.js';
import { ErrorCode, errorCodeOf, graphError, upstreamInvalidResponse } from '../../platform/errors.js';
import type { IdempotencyStore } from '../../platform/idempotency.js';
import { auditedWrite, keyedWrite } from '../../platform/keyed-write.js';
import type { RequestScope } from '../../platform/subgraph.js';
import { upstreamErrorMapper } from '../../platform/upstream-errors.js';
import { parsePdsOperationOutcome, parsePdsPatient, parsePdsSearchBundle, type PdsPatient } from './fhir.js';
import {
  toAddressPatch,
  toPatientMatches,
  toPatientRecord,
  toPdsSearchParams,
  toUpstreamError,
} from './mapping.js';
import type { AddressChange, PatientMatch, PatientRecord, PatientSearchCriteria } from './model.js';

export interface DemographicsSource {
  /** One result per number, in order: the record, or the error for that number. */
  getPatients(nhsNumbers: readonly string[]): Promise<Array<PatientRecord | GraphQLError>>;
  searchPatients(criteria: PatientSearchCriteria): Promise<PatientMatch[]>;
  /**
   * Makes `change` the patient's home address in PDS, once per idempotency key: a repeat with
   * the same key returns the first outcome without writing again (platform/idempotency.ts).
   */
  updateAddress(change: AddressChange, idempotencyKey: string): Promise<PatientRecord>;
}

/**
 * One request's fan-out to PDS (PDS's default rate limit is 5 TPS per application). The upstream
 * client also caps calls in flight process-wide (PDS_MAX_CONCURRENCY, platform/http.ts).
 */
const PDS_CONCURRENCY = 5;

export interface PdsCache {
  /** The `minutes` tier, shared by every request (and, with Redis, every replica). */
  tier: CacheTier;
  /** Names the PDS instance (its base URL), so sandbox, INT and live records never mix. */
  scope: string;
  /** Seconds past the tier's TTL a kept record may be served stale when PDS fails. */
  staleIfErrorSeconds: number;
}

/** Errors that mean PDS could not answer now, not that it answered no. */
const STALE_ALLOWED = new Set<string>([ErrorCode.UPSTREAM_UNAVAILABLE, ErrorCode.RATE_LIMITED]);
const CACHE_FORMAT = 1;

export function createPdsSource(
  client: UpstreamClient,
  scope: Pick<RequestScope, 'correlationId' | 'audit' | 'principal'>,
  cache?: PdsCache,
  idempotency?: IdempotencyStore,
): DemographicsSource {
  const { correlationId, audit } = scope;
  const keyFor = (nhsNumber: string) => `${client.name}|${cache?.scope ?? ''}|Patient/${nhsNumber}`;
  const window = cache ? cache.tier.ttlSeconds + cache.staleIfErrorSeconds : 0;

  const keep = async (nhsNumber: string, record: PatientRecord): Promise<void> => {
    if (cache && window > 0) await cache.tier.set(keyFor(nhsNumber), { v: CACHE_FORMAT, record }, window);
  };

  /** The kept record, marked stale, when PDS failed in a way that allows it; else the error. */
  const orStale = async (nhsNumber: string, error: GraphQLError): Promise<PatientRecord | GraphQLError> => {
    if (!cache) return error;
    const code = errorCodeOf(error);
    if (code === ErrorCode.NOT_FOUND) {
      await cache.tier.delete(keyFor(nhsNumber)); // never resurrect an invalidated record
      return error;
    }
    if (code === undefined || !STALE_ALLOWED.has(code)) return error;
    const kept = keptRecord((await cache.tier.get(keyFor(nhsNumber)))?.value);
    if (kept === null) return error;
    const ageSeconds = ageInSeconds(kept.provenance.retrievedAt);
    if (ageSeconds > window) return error;
    return {
      ...withheldIfRestricted(kept),
      provenance: { ...kept.provenance, stale: true, ageSeconds },
    };
  };

  const getPatient = async (nhsNumber: string): Promise<PatientRecord | GraphQLError> => {
    try {
      const response = await client.request({ path: upstreamPath`/Patient/${nhsNumber}`, correlationId });
      if (response.status !== 200) return await orStale(nhsNumber, errorFrom(response));
      const parsed = parsePdsPatient(response.body);
      if (!parsed.success) return upstreamInvalidResponse(client.name);
      const record = toPatientRecord(parsed.data, { requestedNhsNumber: nhsNumber, retrievedAt: now() });
      await keep(nhsNumber, record);
      return record;
    } catch (error) {
      return await orStale(nhsNumber, error as GraphQLError);
    }
  };

  /**
   * The record as PDS holds it now, for a write to be made against. Never from cache: when PDS
   * cannot answer and only a kept (stale) copy exists, the write is refused as STALE_DATA_REFUSED.
   */
  const readForWrite = async (nhsNumber: string): Promise<PdsPatient> => {
    let failure: GraphQLError;
    try {
      const response = await client.request({ path: upstreamPath`/Patient/${nhsNumber}`, correlationId });
      if (response.status === 200) {
        const parsed = parsePdsPatient(response.body);
        if (!parsed.success) throw upstreamInvalidResponse(client.name);
        return parsed.data;
      }
      failure = errorFrom(response);
    } catch (error) {
      if (errorCodeOf(error) !== ErrorCode.UPSTREAM_UNAVAILABLE) throw error;
      failure = error as GraphQLError;
    }
    const code = errorCodeOf(failure);
    const kept = cache && code !== undefined && STALE_ALLOWED.has(code);
    if (kept && keptRecord((await cache.tier.get(keyFor(nhsNumber)))?.value) !== null)
      throw graphError(
        ErrorCode.STALE_DATA_REFUSED,
        `${client.name} cannot be reached and nhs-graph holds only cached demographics for this patient, which may be out of date; the change was not made. Try again later.`,
        { service: client.name, ...retryAfterOf(failure) },
      );
    throw failure;
  };

  const writeAddress = async (change: AddressChange, requestId: string): Promise<PatientRecord> => {
    const current = await readForWrite(change.nhsNumber);
    const record = toPatientRecord(current, { requestedNhsNumber: change.nhsNumber, retrievedAt: now() });
    // CLINICAL SAFETY: a restricted patient's location is withheld from nhs-graph's callers, so no
    // caller can see what they would overwrite; such changes go through PDS's own channels.
    if (record.restricted)
      throw graphError(
        ErrorCode.FORBIDDEN,
        "A restricted patient's address cannot be changed through nhs-graph.",
      );
    const target = { nhsNumber: record.nhsNumber, resourceTypes: ['Patient'] };
    return auditedWrite(client.name, audit, target, requestId, async () => {
      const response = await client.request({
        method: 'PATCH',
        path: upstreamPath`/Patient/${record.nhsNumber}`,
        headers: { 'If-Match': `W/"${change.version}"`, 'content-type': 'application/json-patch+json' },
        body: { patches: toAddressPatch(current, change, now()) },
        correlationId,
        // PDS de-duplicates on X-Request-ID (patient-patch.yaml, 503), so retries are safe.
        requestId,
        idempotent: true,
      });
      const parsed = response.status === 200 ? parsePdsPatient(response.body) : null;
      if (parsed === null) throw errorFrom(response);
      if (!parsed.success) throw upstreamInvalidResponse(client.name);
      const updated = toPatientRecord(parsed.data, {
        requestedNhsNumber: change.nhsNumber,
        retrievedAt: now(),
      });
      await keep(change.nhsNumber, updated);
      return updated;
    });
  };

  return {
    updateAddress(change, idempotencyKey) {
      const writeKey = { operation: 'updatePatientAddress', key: idempotencyKey, input: change };
      return keyedWrite({ principal: scope.principal, idempotency }, writeKey, (requestId) =>
        writeAddress(change, requestId),
      );
    },
    async getPatients(nhsNumbers) {
      const results = await mapWithConcurrency(nhsNumbers, PDS_CONCURRENCY, getPatient);
      const reads = results.map((result, i) => auditedRead(result, nhsNumbers[i] ?? null));
      return servedIfAudited(audit, client.name, reads, results);
    },
    async searchPatients(criteria) {
      const response = await client.request({
        path: '/Patient',
        query: toPdsSearchParams(criteria),
        correlationId,
      });
      if (response.status !== 200) throw errorFrom(response);
      const parsed = parsePdsSearchBundle(response.body);
      // PDS answers TOO_MANY_MATCHES as a 200 carrying an OperationOutcome (patient-search.yaml).
      if (!parsed.success) throw errorFrom(response);
      const matches = toPatientMatches(parsed.data, { retrievedAt: now() });
      const reads = matches.map((match) => auditedRead(match.patient, match.patient.nhsNumber));
      await audit.recordAccess(
        client.name,
        reads.length > 0 ? reads : [{ nhsNumber: null, resourceTypes: ['Patient'], outcome: 'not-found' }],
      );
      return matches;
    },
  };
}

const errorFrom = upstreamErrorMapper(parsePdsOperationOutcome, toUpstreamError);

const now = () => new Date().toISOString();

function auditedRead(result: PatientRecord | GraphQLError, nhsNumber: string | null): UpstreamRead {
  if (!(result instanceof Error))
    return {
      nhsNumber: result.nhsNumber,
      resourceTypes: ['Patient'],
      outcome: 'read',
      ...(result.provenance.stale ? { detail: 'stale' } : {}),
    };
  return failedRead(nhsNumber, ['Patient'], result);
}

/** A kept record in the format this code writes; anything else (an older format) is ignored. */
function keptRecord(value: unknown): PatientRecord | null {
  if (typeof value !== 'object' || value === null) return null;
  const { v, record } = value as { v?: unknown; record?: Partial<PatientRecord> };
  if (v !== CACHE_FORMAT || typeof record !== 'object' || record === null) return null;
  const ok =
    typeof record.nhsNumber === 'string' &&
    typeof record.restricted === 'boolean' &&
    Array.isArray(record.names) &&
    Array.isArray(record.telecom) &&
    Array.isArray(record.supersededNhsNumbers) &&
    typeof record.provenance?.retrievedAt === 'string';
  return ok ? (record as PatientRecord) : null;
}

// CLINICAL SAFETY: mapping withheld these before the record was kept; withheld again here so
// no cache path can ever disclose a restricted patient's location.
function withheldIfRestricted(record: PatientRecord): PatientRecord {
  return record.restricted ? { ...record, address: null, telecom: [], registeredGpOdsCode: null } : record;
}

/** A failure's `retryAfter`, carried onto the error that replaces it. */
function retryAfterOf(error: GraphQLError): { retryAfter?: number } {
  const retryAfter = error.extensions['retryAfter'];
  return typeof retryAfter === 'number' ? { retryAfter } : {};
}
