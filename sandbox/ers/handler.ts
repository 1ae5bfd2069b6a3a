// The e-RS stand-in on its real paths (e-referrals-service-api.yaml, base /referrals/FHIR): STU3
// A005 retrieve referral request and A008 worklists, R4 A041 ServiceRequest search, A033 and A035
// HealthcareService. Answers are the e-RS sandbox's published mocks (fixtures.ts), including its
// `_baseUrl_` placeholders; like the e-RS sandbox it answers only the published example inputs
// (plus the derived links), and errors are its published OperationOutcomes.
import { randomUUID } from 'node:crypto';
import { FHIR_JSON, headerValue } from '../http-util.js';
import type { Upstream, UpstreamRequest, UpstreamResponse } from '../upstream.js';
import { loadErsFixtures, readMock, WORKLIST_FILES, type Json } from './fixtures.js';

export const ERS_BASE_PATH = '/referrals/FHIR';

const ROUTES = {
  readReferral: '/STU3/ReferralRequest/{ubrn}',
  fetchWorklist: '/STU3/ReferralRequest/$ers.fetchworklist',
  searchServiceRequest: '/R4/ServiceRequest',
  readService: '/R4/HealthcareService/{id}',
  searchServices: '/R4/HealthcareService',
} as const;

/** BusinessFunction.yaml's enum. */
const BUSINESS_FUNCTIONS = new Set([
  'REFERRING_CLINICIAN',
  'REFERRING_CLINICIAN_ADMIN',
  'REFERRING_ADMIN',
  'COMMISSIONER',
  'SERVICE_PROVIDER_CLINICIAN_ADMIN',
  'SERVICE_PROVIDER_CLINICIAN',
  'SERVICE_PROVIDER_ADMIN',
  'INFORMATION_ANALYST',
  'BOOKING_MANAGER',
  'ADDITIONAL_REQUIREMENTS_MANAGER',
]);
/** A005's user-restricted roles (a005-retrieve-referral-request.yaml, Pre-requisites). */
const A005_ROLES = new Set([
  'REFERRING_CLINICIAN',
  'REFERRING_CLINICIAN_ADMIN',
  'SERVICE_PROVIDER_CLINICIAN',
  'SERVICE_PROVIDER_CLINICIAN_ADMIN',
]);
/** A008: referring organisations' lists need a REFERRING_* role, providers' a SERVICE_PROVIDER_* one. */
const PROVIDER_LISTS = new Set(['REFERRALS_FOR_REVIEW', 'APPOINTMENT_SLOT_ISSUES']);

/** A041's sandbox scenarios (a041-search-service-request.yaml); `000000070002` has no published mock. */
const SERVICE_REQUEST_SCENARIOS: Record<string, string> = {
  '000000070000': 'ResponseExampleReferral.json',
  '000000070001': 'ResponseExampleAdvice.json',
  '000000070003': 'ResponseExampleEmpty.json',
};
/** A035's sandbox scenarios (a035-search-for-healthcare-services.yaml). */
const SERVICE_SEARCH_SCENARIOS: Record<string, string> = {
  '1,2': 'searchServiceWithMinmumalAttributes.json',
  '3,4': 'searchServiceWithMaxAndMinAttributes.json',
  '5,6': 'searchServiceWithEmptyResponse.json',
};
const UBRN_SYSTEM = 'https://fhir.nhs.uk/Id/UBRN';

export function createErsUpstream(): Upstream {
  const fixtures = loadErsFixtures();
  const headers = (request: UpstreamRequest): Record<string, string> => {
    // The X-Request-ID response header carries e-RS's own transaction id (headers/response).
    const out: Record<string, string> = { 'Content-Type': FHIR_JSON, 'X-Request-ID': randomUUID() };
    const correlationId = headerValue(request.headers['x-correlation-id']);
    if (correlationId !== null) out['X-Correlation-ID'] = correlationId;
    return out;
  };
  const answer = (request: UpstreamRequest, status: number, body: unknown): UpstreamResponse => ({
    status,
    headers: headers(request),
    body,
  });
  const stu3Error = (request: UpstreamRequest, status: number, file: string) =>
    answer(request, status, readMock(`stu3/${file}`));
  const r4Error = (request: UpstreamRequest, status: number, file: string) =>
    answer(request, status, readMock(`r4/${file}`));
  const businessFunction = (request: UpstreamRequest) =>
    headerValue(request.headers['nhsd-ers-business-function']);

  const readReferral = (request: UpstreamRequest, ubrn: string): UpstreamResponse => {
    const role = businessFunction(request);
    if (role !== null && !A005_ROLES.has(role)) return stu3Error(request, 403, 'STU3-Forbidden.json');
    const referral = fixtures.referrals.get(ubrn);
    // No STU3 not-found mock is published; the APIM-level R4 REC_NOT_FOUND outcome is served.
    if (referral === undefined) return r4Error(request, 404, 'NHSDigital-OperationOutcome-404.json');
    return answer(request, 200, referral);
  };

  const fetchWorklist = (request: UpstreamRequest): UpstreamResponse => {
    const listType = listTypeOf(request.body);
    if (listType === null || WORKLIST_FILES[listType] === undefined)
      return stu3Error(request, 400, 'STU3-SandboxErrorOutcome.json');
    const role = businessFunction(request);
    const wanted = PROVIDER_LISTS.has(listType) ? 'SERVICE_PROVIDER_' : 'REFERRING_';
    if (role === null || !role.startsWith(wanted)) return stu3Error(request, 403, 'STU3-Forbidden.json');
    return answer(request, 200, fixtures.worklists.get(listType));
  };

  const searchServiceRequest = (request: UpstreamRequest): UpstreamResponse => {
    const token = request.query.get('identifier') ?? '';
    const [system, code] = token.includes('|') ? token.split('|', 2) : [UBRN_SYSTEM, token];
    const file = system === UBRN_SYSTEM || system === '' ? SERVICE_REQUEST_SCENARIOS[code ?? ''] : undefined;
    if (file === undefined) return r4Error(request, 400, 'R4-SandboxErrorOutcome.json');
    return answer(request, 200, readMock(`r4/searchServiceRequest/responses/${file}`));
  };

  const readService = (request: UpstreamRequest, id: string): UpstreamResponse => {
    const service = fixtures.services.get(id);
    if (service === undefined) return r4Error(request, 404, 'NHSDigital-OperationOutcome-404.json');
    return answer(request, 200, service);
  };

  const searchServices = (request: UpstreamRequest): UpstreamResponse => {
    const ids = (request.query.get('_id') ?? '').split(',').filter(Boolean);
    if (ids.length === 0 || ids.length > 20)
      return r4Error(request, 400, 'NHSDigital-OperationOutcome-400.json');
    const scenario = SERVICE_SEARCH_SCENARIOS[ids.join(',')];
    if (scenario !== undefined)
      return answer(request, 200, readMock(`r4/searchForServices/responses/${scenario}`));
    // Other ids: a searchset of the services the stand-in knows, shaped like the published ones.
    const found = ids.flatMap((id) => {
      const service = fixtures.services.get(id);
      return service === undefined ? [] : [service];
    });
    return answer(request, 200, searchset(request, found));
  };

  return {
    name: 'ers',
    basePath: ERS_BASE_PATH,
    route(method, path) {
      if (method === 'POST' && path === ROUTES.fetchWorklist) return ROUTES.fetchWorklist;
      if (method !== 'GET') return null;
      if (/^\/STU3\/ReferralRequest\/[^/$]+$/.test(path)) return ROUTES.readReferral;
      if (path === ROUTES.searchServiceRequest) return ROUTES.searchServiceRequest;
      if (path === ROUTES.searchServices) return ROUTES.searchServices;
      if (/^\/R4\/HealthcareService\/[^/]+$/.test(path)) return ROUTES.readService;
      return null;
    },
    handle(request, route) {
      // A business function outside BusinessFunction.yaml's enum: e-RS's sandbox error outcome.
      const role = businessFunction(request);
      if (role !== null && !BUSINESS_FUNCTIONS.has(role)) {
        return route.startsWith('/R4/')
          ? r4Error(request, 400, 'R4-SandboxErrorOutcome.json')
          : stu3Error(request, 400, 'STU3-SandboxErrorOutcome.json');
      }
      const id = decodeURIComponent(request.path.slice(request.path.lastIndexOf('/') + 1));
      switch (route) {
        case ROUTES.readReferral:
          return readReferral(request, id);
        case ROUTES.fetchWorklist:
          return fetchWorklist(request);
        case ROUTES.searchServiceRequest:
          return searchServiceRequest(request);
        case ROUTES.readService:
          return readService(request, id);
        default:
          return searchServices(request);
      }
    },
  };
}

function listTypeOf(body: string | undefined): string | null {
  try {
    const parameters = JSON.parse(body ?? '') as {
      parameter?: Array<{ name?: string; valueCodeableConcept?: { coding?: Array<{ code?: string }> } }>;
    };
    const listType = parameters.parameter?.find((p) => p.name === 'listType');
    return listType?.valueCodeableConcept?.coding?.[0]?.code ?? null;
  } catch {
    return null;
  }
}

function searchset(request: UpstreamRequest, services: Json[]): Json {
  return {
    id: randomUUID(),
    meta: { lastUpdated: new Date().toISOString() },
    resourceType: 'Bundle',
    type: 'searchset',
    timestamp: new Date().toISOString(),
    total: services.length,
    link: [{ relation: 'self', url: `_baseUrl_/R4/HealthcareService?${request.query.toString()}` }],
    ...(services.length > 0
      ? {
          entry: services.map((resource) => ({
            fullUrl: `_baseUrl_/R4/HealthcareService/${String(resource['id'])}`,
            resource,
            search: { mode: 'match' },
          })),
        }
      : {}),
  };
}
