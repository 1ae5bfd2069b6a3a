// The PDS FHIR R4 stand-in on the real paths (personal-demographics.yaml). Header rules first, as
// the real API proxy applies them before the service sees the request; then the read routes and
// PATCH (patch.ts).
import { isValidNhsNumber } from '../../platform/nhs-number.js';
import { FHIR_JSON, headerValue, operationOutcome } from '../http-util.js';
import type { SyntheticPerson } from '../synthetic.js';
import type { Upstream, UpstreamRequest, UpstreamResponse } from '../upstream.js';
import { PdsErrors, type FhirPatient, type PdsErrorCode } from './fixtures.js';
import { applyPatientPatch } from './patch.js';
import { INVALIDATED, SUPERSEDED } from './scenarios.js';
import { parseSearch } from './search-params.js';
import { searchPatients } from './search.js';
import { PatientStore } from './store.js';

export const PDS_BASE_PATH = '/personal-demographics/FHIR/R4';
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const ROUTES = { search: '/Patient', read: '/Patient/{id}' } as const;
/** PATCH responses kept for X-Request-ID de-duplication; the oldest are forgotten beyond this. */
const MAX_REMEMBERED_WRITES = 10_000;

export function createPdsUpstream(people: readonly SyntheticPerson[]): Upstream {
  const store = new PatientStore(people);
  const errors = new PdsErrors();
  const appliedWrites = new Map<string, UpstreamResponse>();

  /** X-Request-ID and X-Correlation-ID are mirrored back (personal-demographics.yaml headers). */
  const baseHeaders = (request: UpstreamRequest): Record<string, string> => {
    const headers: Record<string, string> = { 'Content-Type': FHIR_JSON };
    const requestId = headerValue(request.headers['x-request-id']);
    const correlationId = headerValue(request.headers['x-correlation-id']);
    if (requestId !== null) headers['X-Request-ID'] = requestId;
    if (correlationId !== null) headers['X-Correlation-ID'] = correlationId;
    return headers;
  };

  const fail = (request: UpstreamRequest, code: PdsErrorCode, diagnostics?: string): UpstreamResponse => {
    const { status, body } = errors.build(code, diagnostics);
    return { status, headers: baseHeaders(request), body };
  };

  /** Missing -> MISSING_VALUE, empty or not a UUID -> INVALID_VALUE, each with the published payload. */
  const checkRequestId = (request: UpstreamRequest): UpstreamResponse | null => {
    const requestId = headerValue(request.headers['x-request-id']);
    if (requestId === null) return fail(request, 'MISSING_X_REQUEST_ID');
    if (requestId === '') return fail(request, 'EMPTY_X_REQUEST_ID');
    if (UUID.test(requestId)) return null;
    // The published payload quotes the value its test sent ('1234'); quote the one we were sent.
    return fail(request, 'INVALID_X_REQUEST_ID', `Invalid value - '${requestId}' in header 'X-Request-ID'`);
  };

  const read = (request: UpstreamRequest, id: string): UpstreamResponse => {
    // patient-get.yaml: 400 UNSUPPORTED_SERVICE "Missing NHS number", INVALID_RESOURCE_ID "Invalid NHS number".
    if (id === '') return fail(request, 'UNSUPPORTED_SERVICE');
    if (!/^\d{10}$/.test(id)) return fail(request, 'INVALID_RESOURCE_ID');
    // Served records win over the Modulus 11 check: the real sandbox serves 9000000015, which fails it.
    const stored = store.get(id) ?? store.get(SUPERSEDED.get(id) ?? '');
    if (stored !== undefined) {
      const headers = { ...baseHeaders(request), ETag: `W/"${stored.served.meta.versionId}"` };
      return { status: 200, headers, body: stored.served };
    }
    if (INVALIDATED.has(id)) return fail(request, 'INVALIDATED_RESOURCE');
    if (!isValidNhsNumber(id)) return fail(request, 'INVALID_RESOURCE_ID');
    return fail(request, 'RESOURCE_NOT_FOUND');
  };

  const patch = (request: UpstreamRequest, id: string): UpstreamResponse => {
    const requestId = headerValue(request.headers['x-request-id']) ?? '';
    const earlier = appliedWrites.get(requestId);
    if (earlier !== undefined) return earlier;
    const found = read(request, id);
    if (found.status !== 200) return found;
    const current = found.body as FhirPatient;
    const result = applyPatientPatch(current, {
      ifMatch: headerValue(request.headers['if-match']),
      contentType: headerValue(request.headers['content-type']),
      body: request.body,
    });
    if (!result.ok) return fail(request, result.code, result.diagnostics);
    store.update(current.id, result.patient);
    const answer = {
      status: 200,
      headers: { ...baseHeaders(request), ETag: `W/"${result.patient.meta.versionId}"` },
      body: result.patient,
    };
    if (appliedWrites.size >= MAX_REMEMBERED_WRITES) appliedWrites.clear();
    appliedWrites.set(requestId, answer);
    return answer;
  };

  const search = (request: UpstreamRequest): UpstreamResponse => {
    const parsed = parseSearch(request.query);
    if (!parsed.ok) return fail(request, parsed.code, parsed.diagnostics);
    const outcome = searchPatients(store, parsed.criteria);
    if (outcome.kind === 'tooManyMatches') return fail(request, 'TOO_MANY_MATCHES');
    return { status: 200, headers: baseHeaders(request), body: outcome.bundle };
  };

  return {
    name: 'pds',
    basePath: PDS_BASE_PATH,
    route(_method, path) {
      if (path === '/Patient') return ROUTES.search;
      return /^\/Patient\/[^/]*$/.test(path) ? ROUTES.read : null;
    },
    handle(request, route) {
      const headerFault = checkRequestId(request);
      if (headerFault !== null) return headerFault;
      const id = () => safeDecode(request.path.slice('/Patient/'.length));
      if (request.method === 'PATCH' && route === ROUTES.read) return patch(request, id());
      if (request.method !== 'GET') {
        // POST /Patient (create) exists upstream but is not simulated.
        const body = operationOutcome(
          'not-supported',
          `${request.method} ${route} is not supported by this sandbox`,
        );
        const allow = route === ROUTES.read ? 'GET, PATCH' : 'GET';
        return { status: 405, headers: { ...baseHeaders(request), Allow: allow }, body };
      }
      if (route === ROUTES.search) return search(request);
      return read(request, id());
    },
    reset() {
      store.restore();
      appliedWrites.clear();
    },
  };
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment; // malformed %-escapes: not 10 digits, so INVALID_RESOURCE_ID
  }
}
