// The ODS adapter behind a stable interface, and the only place the organisations subgraph makes
// network calls. Reads go through the `directory` cache tier: ODS publishes once a day (ODT
// specification: "All 3 environments are updated daily"), so an organisation read once serves
// every request, on every replica, until the tier's TTL. The cache holds ODS's own validated
// payloads (upstream data only); they are parsed again when read and mapped per request.
import type { GraphQLError } from 'graphql';
import { failedRead, servedIfAudited, type UpstreamRead } from '../../platform/audit/index.js';
import type { CacheTier } from '../../platform/cache.js';
import { mapWithConcurrency } from '../../platform/concurrency.js';
import { upstreamInvalidResponse } from '../../platform/errors.js';
import { type UpstreamClient, upstreamPath } from '../../platform/http.js';
import type { RequestScope } from '../../platform/subgraph.js';
import { upstreamErrorMapper } from '../../platform/upstream-errors.js';
import {
  OdsOrganizationAffiliationSchema,
  OdsOrganizationSchema,
  parseOdsOperationOutcome,
  parseOdsOrganization,
  parseOdsSearchBundle,
  type ParseResult,
} from './fhir.js';
import { toOdsSearchParams, toOrganisationRecord, toRelationship, toUpstreamError } from './mapping.js';
import type { OrganisationRecord, OrganisationRelationship, OrganisationSearchCriteria } from './model.js';

export interface OrganisationsSource {
  /** One result per code, in order: the organisation, or the error for that code. */
  getOrganisations(odsCodes: readonly string[]): Promise<Array<OrganisationRecord | GraphQLError>>;
  /** One result per code, in order: the organisation's relationships to others, or the error. */
  getRelationships(odsCodes: readonly string[]): Promise<Array<OrganisationRelationship[] | GraphQLError>>;
  searchOrganisations(criteria: OrganisationSearchCriteria): Promise<OrganisationRecord[]>;
}

/**
 * ODS asks callers to stay under ~5,000 requests per 5 minutes (~16 a second; ODT specification,
 * Rate limits). Eight in flight per request keeps one large query near that at typical latency.
 */
export const ODS_CONCURRENCY = 8;
/** Relationships per page; the ODT specification recommends 1000 with `_offset` paging. */
const RELATIONSHIP_PAGE = 1000;
/** Pages of relationships read at most for one organisation (10,000 relationships). */
const MAX_RELATIONSHIP_PAGES = 10;

export interface OdsCache {
  tier: CacheTier;
  /** Names the ODS instance (e.g. its base URL), so sandbox, INT and live answers never mix. */
  scope: string;
}

export function createOdsSource(
  client: UpstreamClient,
  cache: OdsCache,
  scope: Pick<RequestScope, 'correlationId' | 'audit'>,
): OrganisationsSource {
  const { correlationId, audit } = scope;
  // Everything that changes ODS's answer is in the key: which ODS, what was asked. No caller and
  // no token: ODS answers everyone the same (application-restricted API).
  const keyFor = (path: string, query?: URLSearchParams) =>
    `${client.name}|${cache.scope}|${path}${query ? `?${query.toString()}` : ''}`;

  /** The payload for `path`, from the cache or ODS; cached only when `parse` accepts it. */
  async function read<T>(
    path: string,
    query: URLSearchParams | undefined,
    parse: (json: unknown) => ParseResult<T>,
  ): Promise<{ data: T; retrievedAt: string }> {
    const key = keyFor(path, query);
    const cached = await cache.tier.get(key);
    if (cached !== undefined) {
      const parsed = parse(cached.value);
      if (parsed.success) return { data: parsed.data, retrievedAt: cached.storedAt };
      await cache.tier.delete(key); // stored by an older schema: read afresh
    }
    const response = await client.request({ path, ...(query ? { query } : {}), correlationId });
    if (response.status !== 200) throw errorFrom(response);
    const parsed = parse(response.body);
    if (!parsed.success) throw upstreamInvalidResponse(client.name);
    return { data: parsed.data, retrievedAt: await cache.tier.set(key, response.body) };
  }

  const getOrganisation = async (odsCode: string): Promise<OrganisationRecord | GraphQLError> => {
    try {
      const { data, retrievedAt } = await read(
        upstreamPath`/Organization/${odsCode}`,
        undefined,
        parseOdsOrganization,
      );
      return toOrganisationRecord(data, { retrievedAt });
    } catch (error) {
      return error as GraphQLError;
    }
  };

  const getRelationshipsOf = async (odsCode: string): Promise<OrganisationRelationship[] | GraphQLError> => {
    try {
      const relationships: OrganisationRelationship[] = [];
      for (let page = 0; page < MAX_RELATIONSHIP_PAGES; page += 1) {
        const query = new URLSearchParams({
          'primary-organization': odsCode,
          _count: String(RELATIONSHIP_PAGE),
        });
        if (page > 0) query.set('_offset', String(page * RELATIONSHIP_PAGE));
        const { data, retrievedAt } = await read('/OrganizationAffiliation', query, (json) =>
          parseOdsSearchBundle(json, 'OrganizationAffiliation', OdsOrganizationAffiliationSchema),
        );
        relationships.push(
          ...data.matches.map((affiliation) => toRelationship(affiliation, { retrievedAt })),
        );
        const total = data.total ?? relationships.length;
        if (data.matches.length < RELATIONSHIP_PAGE || relationships.length >= total) break;
      }
      return relationships;
    } catch (error) {
      return error as GraphQLError;
    }
  };

  const audited = <T>(resourceType: string, results: Array<T | GraphQLError>) =>
    servedIfAudited(
      audit,
      client.name,
      results.map((result) => auditedRead(resourceType, result)),
      results,
    );

  return {
    async getOrganisations(odsCodes) {
      return audited('Organization', await mapWithConcurrency(odsCodes, ODS_CONCURRENCY, getOrganisation));
    },
    async getRelationships(odsCodes) {
      const results = await mapWithConcurrency(odsCodes, ODS_CONCURRENCY, getRelationshipsOf);
      return audited('OrganizationAffiliation', results);
    },
    async searchOrganisations(criteria) {
      const query = toOdsSearchParams(criteria);
      const { data, retrievedAt } = await read('/Organization', query, (json) =>
        parseOdsSearchBundle(json, 'Organization', OdsOrganizationSchema),
      );
      const found = data.matches.map((organization) => toOrganisationRecord(organization, { retrievedAt }));
      const reads = found.map((): UpstreamRead => ({
        nhsNumber: null,
        resourceTypes: ['Organization'],
        outcome: 'read',
      }));
      await audit.recordAccess(
        client.name,
        reads.length > 0
          ? reads
          : [{ nhsNumber: null, resourceTypes: ['Organization'], outcome: 'not-found' }],
      );
      return found;
    },
  };
}

// Organisation data names no patient, so every read is recorded with a null NHS number.
function auditedRead(resourceType: string, result: unknown): UpstreamRead {
  if (!(result instanceof Error)) return { nhsNumber: null, resourceTypes: [resourceType], outcome: 'read' };
  return failedRead(null, [resourceType], result);
}

const errorFrom = upstreamErrorMapper(parseOdsOperationOutcome, toUpstreamError);
