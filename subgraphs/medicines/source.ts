// The dm+d adapter behind a stable interface, and the only place the medicines subgraph makes
// network calls. dm+d has no NHSBSA API; the service is a FHIR terminology server (the NHS England
// Terminology Server) that holds dm+d as the code system https://dmd.nhs.uk.
//
// Many medicines, one call: the codes a request needs (DataLoader gathers them) go to the server
// as one FHIR `batch` Bundle of `CodeSystem/$lookup` reads (LOOKUPS_PER_BATCH at most per call).
//
// Cached as immutable per release, in the `per-release` tier: an answer is stored under the dm+d
// release (the code system version) the server said it came from, and read under the release
// last seen. That "current release" is itself remembered for RELEASE_RECHECK_SECONDS only, so a
// new weekly release is picked up within a day: the next miss asks the server, which answers
// from the new release, and entries of the old one are simply never read again. Keys hold the
// server's base URL, the release and the code: dm+d answers every caller alike; no caller, no token.
import type { GraphQLError } from 'graphql';
import { failedRead, servedIfAudited, type UpstreamRead } from '../../platform/audit/index.js';
import type { CacheTier } from '../../platform/cache.js';
import { mapWithConcurrency } from '../../platform/concurrency.js';
import { errorCodeOf, upstreamInvalidResponse } from '../../platform/errors.js';
import type { UpstreamClient } from '../../platform/http.js';
import type { RequestScope } from '../../platform/subgraph.js';
import { upstreamErrorMapper } from '../../platform/upstream-errors.js';
import {
  entryStatus,
  expansionVersion,
  parseBatchResponse,
  parseDmdLookup,
  parseDmdOperationOutcome,
  parseExpansion,
  type DmdLookup,
} from './fhir.js';
import {
  expansionCodes,
  lookupBatch,
  NOT_FOUND,
  SERVICE,
  toExpandParams,
  toMedicineRecord,
  toUpstreamError,
} from './mapping.js';
import type { MedicineRecord, MedicineSearchCriteria } from './model.js';

/** What one code resolves to: the medicine, null when dm+d holds no medicine with it, or the error. */
export type MedicineResult = MedicineRecord | null | GraphQLError;

export interface MedicinesSource {
  /** One result per code, in order (DataLoader's contract). */
  getMedicines(codes: readonly string[]): Promise<MedicineResult[]>;
  /** dm+d codes whose names match, most relevant first (they may include non-medicines). */
  searchMedicines(criteria: MedicineSearchCriteria): Promise<string[]>;
}

/** $lookup entries per batch call; a batch is one HTTP request however many codes it holds. */
export const LOOKUPS_PER_BATCH = 50;
/** Batch calls one request makes at once (the upstream client also bounds calls per process). */
const BATCHES_IN_FLIGHT = 2;
/** How long the release last seen is trusted before the server is asked again (dm+d is weekly). */
export const RELEASE_RECHECK_SECONDS = 86_400;

export interface DmdCache {
  tier: CacheTier;
  /** Names the terminology server (its base URL), so sandbox, test and live answers never mix. */
  scope: string;
}

/** Stored for a code the release does not hold, so unknown codes (common in old records) cost one call. */
const NOT_HELD = { notHeld: true } as const;
const isNotHeld = (value: unknown) =>
  typeof value === 'object' && value !== null && (value as { notHeld?: unknown }).notHeld === true;

export function createDmdSource(
  client: UpstreamClient,
  cache: DmdCache,
  scope: Pick<RequestScope, 'correlationId' | 'audit'>,
): MedicinesSource {
  const { correlationId, audit } = scope;
  const prefix = `${client.name}|${cache.scope}`;
  const releaseKey = `${prefix}|release`;
  const lookupKey = (release: string, code: string) => `${prefix}|${release}|CodeSystem/$lookup|${code}`;
  const expandKey = (release: string, query: URLSearchParams) =>
    `${prefix}|${release}|ValueSet/$expand?${query.toString()}`;

  const currentRelease = async (): Promise<string | null> => {
    const entry = await cache.tier.get(releaseKey);
    return typeof entry?.value === 'string' ? entry.value : null;
  };
  /** Remembers the release the server answered from, when it is new (so the recheck clock is not reset). */
  const noteRelease = async (seen: string | null, known: string | null) => {
    const lifetime = Math.min(RELEASE_RECHECK_SECONDS, cache.tier.ttlSeconds);
    if (seen !== null && seen !== known && lifetime > 0) await cache.tier.set(releaseKey, seen, lifetime);
  };

  const fromPayload = (code: string, payload: unknown, retrievedAt: string): MedicineResult | undefined => {
    if (isNotHeld(payload)) return null;
    const parsed = parseDmdLookup(payload);
    return parsed.success ? toMedicineRecord(parsed.data, { code, retrievedAt }) : undefined;
  };

  async function fromCache(release: string, code: string): Promise<MedicineResult | undefined> {
    const key = lookupKey(release, code);
    const cached = await cache.tier.get(key);
    if (cached === undefined) return undefined;
    const result = fromPayload(code, cached.value, cached.storedAt);
    if (result === undefined) await cache.tier.delete(key); // stored by an older schema: read afresh
    return result;
  }

  /** One batch call for `codes`; every code gets its result or the call's error. */
  async function fetchBatch(codes: string[], known: string | null): Promise<MedicineResult[]> {
    try {
      const response = await client.request({
        method: 'POST',
        path: '',
        body: lookupBatch(codes),
        correlationId,
        // A batch of reads changes nothing: safe to retry.
        idempotent: true,
      });
      if (response.status !== 200) {
        const error = errorFrom(response);
        return codes.map(() => error);
      }
      const bundle = parseBatchResponse(response.body);
      const entries = bundle.success ? (bundle.data.entry ?? []) : [];
      // FHIR batch-response: one entry per request entry, in the same order.
      if (entries.length !== codes.length) {
        const error = upstreamInvalidResponse(SERVICE);
        return codes.map(() => error);
      }
      const answers = entries.map((entry) =>
        readEntry(entry.response.status, entry.resource, entry.response.outcome),
      );
      const release =
        answers.find((answer): answer is { lookup: DmdLookup; payload: unknown } => 'lookup' in answer)
          ?.lookup.version ?? known;
      await noteRelease(release, known);
      return await Promise.all(
        answers.map(async (answer, index) => {
          const code = codes[index] as string;
          if ('error' in answer) return answer.error;
          if ('notHeld' in answer) {
            if (release !== null) await cache.tier.set(lookupKey(release, code), NOT_HELD);
            return null;
          }
          // Stored under the release it came from; an answer naming no release is not cached.
          const version = answer.lookup.version;
          const retrievedAt =
            version === null
              ? new Date().toISOString()
              : await cache.tier.set(lookupKey(version, code), answer.payload);
          return toMedicineRecord(answer.lookup, { code, retrievedAt });
        }),
      );
    } catch (error) {
      return codes.map(() => error as GraphQLError);
    }
  }

  const audited = (resourceType: string, results: MedicineResult[]): Promise<MedicineResult[]> =>
    servedIfAudited(
      audit,
      client.name,
      results.map((result) => auditedRead(resourceType, result)),
      results,
    );

  return {
    async getMedicines(codes) {
      const results: Array<MedicineResult | undefined> = codes.map(() => undefined);
      const known = await currentRelease();
      if (known !== null) {
        await Promise.all(
          codes.map(async (code, index) => {
            results[index] = await fromCache(known, code);
          }),
        );
      }
      const missing = codes.flatMap((_code, index) => (results[index] === undefined ? [index] : []));
      const batches: number[][] = [];
      for (let at = 0; at < missing.length; at += LOOKUPS_PER_BATCH) {
        batches.push(missing.slice(at, at + LOOKUPS_PER_BATCH));
      }
      await mapWithConcurrency(batches, BATCHES_IN_FLIGHT, async (batch) => {
        const fetched = await fetchBatch(
          batch.map((index) => codes[index] as string),
          known,
        );
        batch.forEach((index, position) => {
          const result = fetched[position];
          results[index] = result === undefined ? upstreamInvalidResponse(SERVICE) : result;
        });
      });
      // Every code has its result by now; `undefined` would be a bug, answered as an error, not as data.
      return audited(
        'CodeSystem',
        results.map((result) => (result === undefined ? upstreamInvalidResponse(SERVICE) : result)),
      );
    },

    async searchMedicines(criteria) {
      const query = toExpandParams(criteria);
      const known = await currentRelease();
      const cached = known === null ? undefined : await cache.tier.get(expandKey(known, query));
      let expansion = cached === undefined ? undefined : parseExpansion(cached.value);
      if (expansion === undefined || !expansion.success) {
        const response = await client.request({ path: '/ValueSet/$expand', query, correlationId });
        if (response.status !== 200) throw errorFrom(response);
        expansion = parseExpansion(response.body);
        if (!expansion.success) throw upstreamInvalidResponse(SERVICE);
        const release = expansionVersion(expansion.data);
        await noteRelease(release, known);
        if (release !== null) await cache.tier.set(expandKey(release, query), response.body);
      }
      const codes = expansionCodes(expansion.data);
      await audit.recordAccess(client.name, [
        { nhsNumber: null, resourceTypes: ['ValueSet'], outcome: codes.length > 0 ? 'read' : 'not-found' },
      ]);
      return codes;
    },
  };
}

type EntryAnswer = { lookup: DmdLookup; payload: unknown } | { notHeld: true } | { error: GraphQLError };

/** One batch entry: the $lookup, "not held" (404 not-found), or the error it stands for. */
function readEntry(status: string, resource: unknown, outcome: unknown): EntryAnswer {
  const code = entryStatus(status);
  if (code === 200) {
    const parsed = parseDmdLookup(resource);
    return parsed.success
      ? { lookup: parsed.data, payload: resource }
      : { error: upstreamInvalidResponse(SERVICE) };
  }
  // An entry's OperationOutcome is `response.outcome` (FHIR R4); some servers put it in `resource`.
  const parsedOutcome = parseDmdOperationOutcome(outcome ?? resource);
  const error = toUpstreamError(code ?? 0, parsedOutcome.success ? parsedOutcome.data : null);
  return errorCodeOf(error) === NOT_FOUND.code ? { notHeld: true } : { error };
}

// Medicines name no patient, so every read is recorded with a null NHS number.
function auditedRead(resourceType: string, result: MedicineResult): UpstreamRead {
  if (result === null) return { nhsNumber: null, resourceTypes: [resourceType], outcome: 'not-found' };
  if (!(result instanceof Error)) return { nhsNumber: null, resourceTypes: [resourceType], outcome: 'read' };
  return failedRead(null, [resourceType], result);
}

const errorFrom = upstreamErrorMapper(parseDmdOperationOutcome, toUpstreamError);
