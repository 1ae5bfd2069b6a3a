// The e-RS adapter behind a stable interface, and the only place the referrals subgraph makes
// network calls. Referrals and worklists are volatile clinical data and are never cached; e-RS
// services (the directory a referral is made to) go through the short-lived `minutes` tier.
import type { GraphQLError } from 'graphql';
import { failedRead, servedIfAudited, type UpstreamRead } from '../../platform/audit/index.js';
import { isStaffWithAny } from '../../platform/authorisation.js';
import type { CacheTier } from '../../platform/cache.js';
import { mapWithConcurrency } from '../../platform/concurrency.js';
import { ErrorCode, graphError, upstreamInvalidResponse } from '../../platform/errors.js';
import { type UpstreamClient, type UpstreamResponse, upstreamPath } from '../../platform/http.js';
import type { Principal } from '../../platform/principal.js';
import { DEFAULT_CLINICAL_ACTIVITIES } from '../../platform/rbac.js';
import { checkClaim } from '../../platform/upstream-keys.js';
import type { RequestScope } from '../../platform/subgraph.js';
import { upstreamErrorMapper } from '../../platform/upstream-errors.js';
import {
  ErsHealthcareServiceSchema,
  parseHealthcareService,
  parseOperationOutcome,
  parseReferralRequest,
  parseSearchBundle,
  parseWorklist,
  type ParseResult,
} from './fhir.js';
import {
  fromHealthcareService,
  fromReferralRequest,
  SERVICE,
  toUpstreamError,
  toWorklistEntries,
} from './mapping.js';
import type { ReferralRecord, ReferralServiceRecord, WorklistEntry } from './model.js';

export interface ReferralsSource {
  /** One result per UBRN, in order: the referral (STU3 A005), or the error for that UBRN. */
  getReferrals(ubrns: readonly string[]): Promise<Array<ReferralRecord | GraphQLError>>;
  /** One result per NHS number, in order: the UBRNs e-RS lists for that patient on the caller's worklists. */
  getPatientUbrns(nhsNumbers: readonly string[]): Promise<Array<string[] | GraphQLError>>;
  /** One result per service id, in order (R4 A033). */
  getServices(ids: readonly string[]): Promise<Array<ReferralServiceRecord | GraphQLError>>;
  /** Services by id in one call (R4 A035 `_id`), in e-RS's order; unknown ids are left out. */
  searchServices(ids: readonly string[]): Promise<ReferralServiceRecord[]>;
}

/** e-RS allows 10 requests a second per application (TooManyRequests.yaml); four in flight per request. */
export const ERS_CONCURRENCY = 4;

export const BUSINESS_FUNCTION_HEADER = 'NHSD-eRS-Business-Function';
export const END_USER_ORGANISATION_HEADER = 'NHSD-End-User-Organisation-ODS';

/**
 * The e-RS business function a member of staff acts in (BusinessFunction.yaml's enum). A CIS2
 * role does not say whether its organisation refers or provides, and nhs-graph's users so far are
 * referrers (GP practices), so staff with a clinical activity act as `REFERRING_CLINICIAN` and
 * other staff as `REFERRING_ADMIN`. Citizens and partners call e-RS application-restricted, where
 * the user-restricted headers are not sent (OdsCodeOnlyUserRestricted.yaml). Null: not staff.
 */
export function businessFunctionFor(principal: Principal): string | null {
  if (principal.kind !== 'staff') return null;
  return isStaffWithAny(DEFAULT_CLINICAL_ACTIVITIES)(principal) ? 'REFERRING_CLINICIAN' : 'REFERRING_ADMIN';
}

/**
 * The user-restricted headers every e-RS call carries (X-Correlation-ID comes from the client).
 * The ODS code is the caller's claim, checked to its shape (UNAUTHENTICATED when malformed).
 */
export function ersHeaders(principal: Principal): Record<string, string> {
  const businessFunction = businessFunctionFor(principal);
  if (businessFunction === null) return {};
  return {
    [BUSINESS_FUNCTION_HEADER]: businessFunction,
    ...(principal.orgCode
      ? { [END_USER_ORGANISATION_HEADER]: checkClaim('odsCode', principal.orgCode) }
      : {}),
  };
}

/** A008 worklists a referring organisation can read (retrieve-worklist, "Referring Organisations"). */
export const REFERRER_WORKLISTS = [
  'AWAITING_BOOKING',
  'LETTERS_OUTSTANDING',
  'REJECTED_TRIAGE_RESPONSE',
  'ASSESSMENT_RETURNED_CANCELLED_DNA',
] as const;
const LIST_SELECTOR_SYSTEM = 'https://fhir.nhs.uk/STU3/CodeSystem/eRS-ReferralListSelector-1';

const worklistRequest = (listType: string) => ({
  resourceType: 'Parameters',
  meta: { profile: ['https://fhir.nhs.uk/STU3/StructureDefinition/eRS-FetchWorklist-Parameters-1'] },
  parameter: [
    {
      name: 'listType',
      valueCodeableConcept: { coding: [{ system: LIST_SELECTOR_SYSTEM, code: listType }] },
    },
  ],
});

export interface ErsServiceCache {
  tier: CacheTier;
  /** Names the e-RS instance (its base URL), so sandbox, INT and live answers never mix. */
  scope: string;
}

export function createErsSource(
  client: UpstreamClient,
  cache: ErsServiceCache,
  scope: Pick<RequestScope, 'correlationId' | 'audit' | 'principal'>,
): ReferralsSource {
  const { correlationId, audit, principal } = scope;
  const now = () => new Date().toISOString();

  async function call(path: string, options: { query?: URLSearchParams; body?: unknown } = {}) {
    return client.request({
      path,
      // $ers.fetchworklist is a read sent as POST: safe to retry like a GET.
      ...(options.body === undefined
        ? {}
        : { method: 'POST' as const, body: options.body, idempotent: true }),
      ...(options.query ? { query: options.query } : {}),
      // Built per call: a malformed ODS code claim refuses the call, not the whole request.
      headers: ersHeaders(principal),
      correlationId,
    });
  }

  function parsed<T>(response: UpstreamResponse, parse: (json: unknown) => ParseResult<T>): T {
    if (response.status !== 200) throw errorFrom(response);
    const result = parse(response.body);
    if (!result.success) throw upstreamInvalidResponse(client.name);
    return result.data;
  }

  // Services: what e-RS shows may depend on who asks (a referring organisation sees the services
  // open to it), so the key holds the e-RS instance, the caller's organisation and business
  // function, and the request; never the caller's identity or a token.
  const serviceKey = (path: string, query?: URLSearchParams) =>
    [
      client.name,
      cache.scope,
      principal.orgCode ?? '-',
      businessFunctionFor(principal) ?? 'application',
      `${path}${query ? `?${query.toString()}` : ''}`,
    ].join('|');

  /** A service payload from the cache or e-RS; cached only when `parse` accepts it. */
  async function serviceRead<T>(
    path: string,
    query: URLSearchParams | undefined,
    parse: (json: unknown) => ParseResult<T>,
  ): Promise<T> {
    const key = serviceKey(path, query);
    const hit = await cache.tier.get(key);
    if (hit !== undefined) {
      const again = parse(hit.value);
      if (again.success) return again.data;
      await cache.tier.delete(key); // stored by an older schema: read afresh
    }
    const response = await call(path, query ? { query } : {});
    const data = parsed(response, parse);
    await cache.tier.set(key, response.body);
    return data;
  }

  const getReferral = async (ubrn: string): Promise<ReferralRecord | GraphQLError> => {
    try {
      const referral = parsed(await call(upstreamPath`/STU3/ReferralRequest/${ubrn}`), parseReferralRequest);
      return fromReferralRequest(referral, { retrievedAt: now() });
    } catch (error) {
      return error as GraphQLError;
    }
  };

  const getService = async (id: string): Promise<ReferralServiceRecord | GraphQLError> => {
    try {
      return fromHealthcareService(
        await serviceRead(upstreamPath`/R4/HealthcareService/${id}`, undefined, parseHealthcareService),
      );
    } catch (error) {
      return error as GraphQLError;
    }
  };

  // Worklists are per caller, not per patient: read once per request, shared by every patient.
  let worklists: Promise<WorklistEntry[]> | undefined;
  const readWorklists = () => {
    worklists ??= (async () => {
      if (businessFunctionFor(principal) === null) throw notOnWorklists();
      const lists = await mapWithConcurrency(REFERRER_WORKLISTS, ERS_CONCURRENCY, async (listType) =>
        toWorklistEntries(
          parsed(
            await call('/STU3/ReferralRequest/$ers.fetchworklist', { body: worklistRequest(listType) }),
            parseWorklist,
          ),
        ),
      );
      return lists.flat();
    })();
    return worklists;
  };

  const audited = <T>(reads: UpstreamRead[], results: Array<T | GraphQLError>) =>
    servedIfAudited(audit, client.name, reads, results);

  return {
    async getReferrals(ubrns) {
      const results = await mapWithConcurrency(ubrns, ERS_CONCURRENCY, getReferral);
      return audited(
        results.map((result) =>
          auditedRead('ReferralRequest', result, isRecord(result) ? result.nhsNumber : null),
        ),
        results,
      );
    },
    async getPatientUbrns(nhsNumbers) {
      let results: Array<string[] | GraphQLError>;
      try {
        const entries = await readWorklists();
        results = nhsNumbers.map((nhsNumber) => [
          ...new Set(entries.filter((entry) => entry.nhsNumber === nhsNumber).map((entry) => entry.ubrn)),
        ]);
      } catch (error) {
        results = nhsNumbers.map(() => error as GraphQLError);
      }
      return audited(
        results.map((result, i) => auditedRead('List', result, nhsNumbers[i] ?? null)),
        results,
      );
    },
    async getServices(ids) {
      const results = await mapWithConcurrency(ids, ERS_CONCURRENCY, getService);
      return audited(
        results.map((result) => auditedRead('HealthcareService', result, null)),
        results,
      );
    },
    async searchServices(ids) {
      const query = new URLSearchParams({ _id: ids.join(',') });
      const services = await serviceRead('/R4/HealthcareService', query, (json) =>
        parseSearchBundle(json, 'HealthcareService', ErsHealthcareServiceSchema),
      );
      const found = services.map(fromHealthcareService);
      await audit.recordAccess(
        client.name,
        found.length > 0
          ? found.map(() => ({ nhsNumber: null, resourceTypes: ['HealthcareService'], outcome: 'read' }))
          : [{ nhsNumber: null, resourceTypes: ['HealthcareService'], outcome: 'not-found' }],
      );
      return found;
    },
  };
}

const isRecord = (result: unknown): result is ReferralRecord => !(result instanceof Error);

function auditedRead(resourceType: string, result: unknown, nhsNumber: string | null): UpstreamRead {
  if (!(result instanceof Error)) return { nhsNumber, resourceTypes: [resourceType], outcome: 'read' };
  return failedRead(nhsNumber, [resourceType], result);
}

/** e-RS has no search of referrals by patient: they are listed only on staff worklists (A008). */
const notOnWorklists = () =>
  graphError(
    ErrorCode.UPSTREAM_REJECTED,
    `${SERVICE} lists a patient's referrals only on a member of staff's worklists; ask for a referral by its UBRN.`,
    { service: SERVICE },
  );

const errorFrom = upstreamErrorMapper(parseOperationOutcome, toUpstreamError);
