// The ODS FHIR R4 stand-in (Organisation Data Terminology API) on its real paths
// (organisation-data-terminology-api.yaml): read and search Organization and OrganizationAffiliation,
// errors as the IG's published HAPI OperationOutcomes. Read-only, like the API.
import { randomUUID } from 'node:crypto';
import { FHIR_JSON, headerValue, operationOutcome } from '../http-util.js';
import type { Upstream, UpstreamRequest, UpstreamResponse } from '../upstream.js';
import { OdsErrors, type OdsErrorCode } from './errors.js';
import { loadOdsFixtures, type FhirResource } from './fixtures.js';
import {
  AFFILIATION_PARAMETERS,
  affiliationFacts,
  organisationFacts,
  searchAffiliations,
  searchOrganizations,
  type Paging,
  type SearchProblem,
} from './search.js';

export const ODS_BASE_PATH = '/organisation-data-terminology-api/fhir';
/** Where the real sandbox lives (the specification's `servers`); used in Bundle URLs. */
const PUBLIC_BASE = `https://sandbox.api.service.nhs.uk${ODS_BASE_PATH}`;

const ROUTES = {
  searchOrganization: '/Organization',
  readOrganization: '/Organization/{id}',
  searchAffiliation: '/OrganizationAffiliation',
  readAffiliation: '/OrganizationAffiliation/{id}',
} as const;

const INCLUDES: Record<string, 'source' | 'target'> = {
  'OrganizationAffiliation:primary-organization': 'source',
  'OrganizationAffiliation:participating-organization': 'target',
};

export function createOdsUpstream(): Upstream {
  const fixtures = loadOdsFixtures();
  const organisations = [...fixtures.organisations.values()].map(organisationFacts);
  const affiliations = [...fixtures.affiliations.values()].map(affiliationFacts);
  const errors = new OdsErrors();

  const headers = (request: UpstreamRequest): Record<string, string> => {
    const out: Record<string, string> = { 'Content-Type': FHIR_JSON };
    const correlationId = headerValue(request.headers['x-correlation-id']);
    if (correlationId !== null) out['X-Correlation-ID'] = correlationId;
    return out;
  };

  const fail = (
    request: UpstreamRequest,
    code: OdsErrorCode,
    value: string,
    more?: ReadonlyArray<readonly [string, string]>,
  ): UpstreamResponse => ({ ...errors.build(code, value, more), headers: headers(request) });

  const problem = (
    request: UpstreamRequest,
    found: SearchProblem,
    resourceType: string,
  ): UpstreamResponse => {
    if (found.kind === 'sandbox') {
      return {
        status: 400,
        headers: headers(request),
        body: operationOutcome('not-supported', found.diagnostics),
      };
    }
    if (found.code !== 'UNKNOWN_PARAMETER' || resourceType === 'Organization') {
      return fail(request, found.code, found.value);
    }
    // The published HAPI-0524 names Organization and its parameters; say the same of this resource.
    return fail(request, found.code, found.value, [
      ['resource type "Organization"', `resource type "${resourceType}"`],
      [PUBLISHED_ORGANIZATION_PARAMETERS, `[${AFFILIATION_PARAMETERS.join(', ')}]`],
    ]);
  };

  const bundle = (
    request: UpstreamRequest,
    path: string,
    matches: FhirResource[],
    page: Paging,
    included: FhirResource[] = [],
  ): UpstreamResponse => {
    const shown = page.summaryOnly ? [] : matches.slice(page.offset, page.offset + page.count);
    const query = request.query.toString();
    const link = [{ relation: 'self', url: `${PUBLIC_BASE}${path}${query ? `?${query}` : ''}` }];
    if (!page.summaryOnly && page.offset + page.count < matches.length) {
      const next = new URLSearchParams(request.query);
      next.set('_offset', String(page.offset + page.count));
      link.push({ relation: 'next', url: `${PUBLIC_BASE}${path}?${next.toString()}` });
    }
    const entry = [
      ...shown.map((resource) => ({ resource, mode: 'match' })),
      ...included.map((resource) => ({ resource, mode: 'include' })),
    ].map(({ resource, mode }) => ({
      fullUrl: `${PUBLIC_BASE}/${resource.resourceType}/${resource.id}`,
      resource,
      search: { mode },
    }));
    // Shaped on the IG's searchset examples (ODS-Bundle-*-Example.xml): no `entry` when empty.
    const body = {
      resourceType: 'Bundle',
      id: randomUUID(),
      meta: { lastUpdated: new Date().toISOString() },
      type: 'searchset',
      total: matches.length,
      link,
      ...(entry.length > 0 ? { entry } : {}),
    };
    return { status: 200, headers: headers(request), body };
  };

  const readOrganization = (request: UpstreamRequest, id: string): UpstreamResponse => {
    const found = fixtures.organisations.get(id);
    if (found === undefined) return fail(request, 'NOT_FOUND', `Organization/${id}`);
    return { status: 200, headers: headers(request), body: found };
  };

  const readAffiliation = (request: UpstreamRequest, id: string): UpstreamResponse => {
    const found = fixtures.affiliations.get(id);
    if (found === undefined) return fail(request, 'NOT_FOUND', `OrganizationAffiliation/${id}`);
    return { status: 200, headers: headers(request), body: found };
  };

  const searchOrganization = (request: UpstreamRequest): UpstreamResponse => {
    const result = searchOrganizations(organisations, request.query);
    if (!result.ok) return problem(request, result.problem, 'Organization');
    const matches = result.matches.map((facts) => facts.resource);
    return bundle(request, ROUTES.searchOrganization, matches, result.paging);
  };

  const searchAffiliation = (request: UpstreamRequest): UpstreamResponse => {
    const includes = request.query.getAll('_include');
    const unknownInclude = includes.find((include) => INCLUDES[include] === undefined);
    if (unknownInclude !== undefined) {
      const diagnostics = `the sandbox does not simulate _include=${unknownInclude}`;
      return { status: 400, headers: headers(request), body: operationOutcome('not-supported', diagnostics) };
    }
    const result = searchAffiliations(affiliations, request.query);
    if (!result.ok) return problem(request, result.problem, 'OrganizationAffiliation');
    const matches = result.matches.map((facts) => facts.resource);
    const wanted = new Set(
      includes.flatMap((include) => result.matches.map((facts) => facts[INCLUDES[include] ?? 'source'])),
    );
    const included = [...wanted].flatMap((code) => {
      const organisation = fixtures.organisations.get(code);
      return organisation === undefined ? [] : [organisation];
    });
    return bundle(request, ROUTES.searchAffiliation, matches, result.paging, included);
  };

  return {
    name: 'ods',
    basePath: ODS_BASE_PATH,
    route(_method, path) {
      if (path === '/Organization') return ROUTES.searchOrganization;
      if (/^\/Organization\/[^/]+$/.test(path)) return ROUTES.readOrganization;
      if (path === '/OrganizationAffiliation') return ROUTES.searchAffiliation;
      if (/^\/OrganizationAffiliation\/[^/]+$/.test(path)) return ROUTES.readAffiliation;
      return null;
    },
    handle(request, route) {
      if (request.method !== 'GET') {
        const answer = fail(request, 'METHOD_NOT_ALLOWED', `HTTP Method ${request.method}`);
        return { ...answer, headers: { ...answer.headers, Allow: 'GET' } };
      }
      const id = safeDecode(request.path.slice(request.path.lastIndexOf('/') + 1));
      switch (route) {
        case ROUTES.readOrganization:
          return readOrganization(request, id);
        case ROUTES.readAffiliation:
          return readAffiliation(request, id);
        case ROUTES.searchAffiliation:
          return searchAffiliation(request);
        default:
          return searchOrganization(request);
      }
    },
  };
}

/** The parameter list in the published HAPI-0524 example, replaced for OrganizationAffiliation. */
const PUBLISHED_ORGANIZATION_PARAMETERS =
  '[_content, _id, _lastUpdated, _profile, _security, _source, _tag, _text, active, activeRoleCode, address, address-city, address-country, address-postalcode, address-state, address-use, endpoint, identifier, lastChangeDate, name, partof, phonetic, roleCode, type]';

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
