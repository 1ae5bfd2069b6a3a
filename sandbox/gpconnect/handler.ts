// The GP Connect stand-in. Below the base path `/gpconnect` (GPCONNECT_BASE_URL in the sandbox)
// it answers on the provider FHIR service root paths SDS publishes for a practice, with any ODS
// code: `/{ods}/STU3/1/gpconnect/structured/fhir` (Access Record Structured 1.6.x) and
// `/{ods}/STU3/1/gpconnect/fhir` (Appointment Management 1.2.x), e.g. the GP Connect reference
// implementation's `/B82617/STU3/1/gpconnect/structured/fhir/Patient/$gpc.getstructuredrecord`.
// Every request is checked as the Spine Secure Proxy and a provider would (checks.ts) before it is
// answered. One process is one provider: routing to each patient's own practice through SDS is
// not simulated.
import { isValidNhsNumber } from '../../platform/nhs-number.js';
import { FHIR_JSON, headerValue } from '../http-util.js';
import type { SyntheticPerson } from '../synthetic.js';
import type { Upstream, UpstreamRequest, UpstreamResponse } from '../upstream.js';
import { createAppointmentBook, type Answer } from './appointments.js';
import { checkRequest, spineError, type Interaction } from './checks.js';
import { createRecordStore, type IncludeRequest } from './records.js';

export const GPCONNECT_BASE_PATH = '/gpconnect';

const ODS = '[A-Za-z0-9]{3,10}';
const STRUCTURED = `^/(${ODS})/STU3/1/gpconnect/structured/fhir`;
const APPOINTMENTS = `^/(${ODS})/STU3/1/gpconnect/fhir`;

/** Each route: method, path pattern, the template it is counted under, and its interaction. */
const ROUTES: Array<{ method: string; pattern: RegExp; template: string; interaction: Interaction }> = [
  {
    method: 'POST',
    pattern: new RegExp(`${STRUCTURED}/Patient/\\$gpc\\.getstructuredrecord$`),
    template: '/{ods}/STU3/1/gpconnect/structured/fhir/Patient/$gpc.getstructuredrecord',
    interaction: 'structured',
  },
  {
    method: 'GET',
    pattern: new RegExp(`${APPOINTMENTS}/Patient$`),
    template: '/{ods}/STU3/1/gpconnect/fhir/Patient',
    interaction: 'searchPatient',
  },
  {
    method: 'GET',
    pattern: new RegExp(`${APPOINTMENTS}/Slot$`),
    template: '/{ods}/STU3/1/gpconnect/fhir/Slot',
    interaction: 'searchSlots',
  },
  {
    method: 'POST',
    pattern: new RegExp(`${APPOINTMENTS}/Appointment$`),
    template: '/{ods}/STU3/1/gpconnect/fhir/Appointment',
    interaction: 'book',
  },
  {
    method: 'GET',
    pattern: new RegExp(`${APPOINTMENTS}/Appointment/[^/]+$`),
    template: '/{ods}/STU3/1/gpconnect/fhir/Appointment/{id}',
    interaction: 'readAppointment',
  },
  {
    method: 'PUT',
    pattern: new RegExp(`${APPOINTMENTS}/Appointment/[^/]+$`),
    template: '/{ods}/STU3/1/gpconnect/fhir/Appointment/{id}',
    interaction: 'cancel',
  },
  {
    method: 'GET',
    pattern: new RegExp(`${APPOINTMENTS}/Patient/[^/]+/Appointment$`),
    template: '/{ods}/STU3/1/gpconnect/fhir/Patient/{id}/Appointment',
    interaction: 'patientAppointments',
  },
];

export function createGpConnectUpstream(people: readonly SyntheticPerson[]): Upstream {
  const records = createRecordStore(people);
  const book = createAppointmentBook();
  const patientIdOf = (nhsNumber: string) =>
    records.findable(nhsNumber) ? records.patientId(nhsNumber) : null;
  // Logical ids are `gpc-<NHS number>`: a patient is known if the practice holds them.
  const knownPatient = (id: string) => id.startsWith('gpc-') && records.findable(id.slice(4));

  const answer = (request: UpstreamRequest, result: Answer): UpstreamResponse => {
    const headers: Record<string, string> = { 'Content-Type': FHIR_JSON, 'Cache-Control': 'no-store' };
    const correlationId = headerValue(request.headers['x-correlation-id']);
    if (correlationId !== null) headers['X-Correlation-ID'] = correlationId;
    return { status: result.status, headers, body: result.body };
  };

  return {
    name: 'gpconnect',
    basePath: GPCONNECT_BASE_PATH,
    route(method, path) {
      return ROUTES.find((r) => r.method === method && r.pattern.test(path))?.template ?? null;
    },
    handle(request) {
      const route = ROUTES.find((r) => r.method === request.method && r.pattern.test(request.path));
      if (route === undefined) return answer(request, spineError('BAD_REQUEST', 'No such GP Connect route'));
      const serviceRoot = /^.*?\/fhir(?=\/)/.exec(request.path)?.[0] ?? '';
      const refusal = checkRequest(request.headers, route.interaction, serviceRoot);
      if (refusal !== null) return answer(request, refusal);
      const body = request.method === 'POST' || request.method === 'PUT' ? jsonBody(request) : undefined;
      if (body instanceof Error)
        return answer(request, body.message === 'media' ? unsupportedMedia() : badJson());
      const id = /\/(?:Appointment|Patient)\/([^/]+)(?:\/Appointment)?$/.exec(request.path)?.[1] ?? '';
      switch (route.interaction) {
        case 'structured':
          return answer(request, structuredRecord(body));
        case 'searchPatient':
          return answer(request, book.findPatient(request.query, patientIdOf));
        case 'searchSlots':
          return answer(request, book.searchSlots(request.query));
        case 'book':
          return answer(request, book.book(body, knownPatient));
        case 'readAppointment':
          return answer(request, book.read(id));
        case 'cancel':
          return answer(request, book.cancel(id, body));
        default:
          return answer(request, book.patientAppointments(id, request.query));
      }
    },
  };

  function structuredRecord(body: unknown): Answer {
    const parsed = parseParameters(body);
    if ('status' in parsed) return parsed;
    const result = records.structuredRecord(parsed.nhsNumber, parsed.include);
    return result.kind === 'record'
      ? { status: 200, body: result.bundle }
      : spineError(result.code, undefined, result.status);
  }
}

function jsonBody(request: UpstreamRequest): unknown {
  const type = headerValue(request.headers['content-type']) ?? '';
  if (!type.startsWith(FHIR_JSON)) return new Error('media');
  try {
    return JSON.parse(request.body ?? '') as unknown;
  } catch {
    return new Error('json');
  }
}

const unsupportedMedia = (): Answer => ({
  status: 415,
  body: {
    resourceType: 'OperationOutcome',
    issue: [{ severity: 'error', code: 'not-supported', diagnostics: `Content-Type must be ${FHIR_JSON}` }],
  },
});
const badJson = (): Answer => spineError('BAD_REQUEST', 'The request body is not valid JSON');

interface ParametersPart {
  name?: unknown;
  valueBoolean?: unknown;
  valueIdentifier?: { system?: unknown; value?: unknown };
  part?: ParametersPart[];
}

/**
 * The Parameters of $gpc.getstructuredrecord, refused as the operation's error table says
 * (accessrecord_structured_development_retrieve_patient_record, "Error handling").
 */
function parseParameters(body: unknown): { nhsNumber: string; include: IncludeRequest } | Answer {
  const resource = body as { resourceType?: unknown; parameter?: unknown } | null;
  if (resource?.resourceType !== 'Parameters' || !Array.isArray(resource.parameter))
    return spineError('INVALID_RESOURCE', 'The body must be a Parameters resource');
  const parameters = resource.parameter as ParametersPart[];
  const identifier = parameters.find((p) => p.name === 'patientNHSNumber')?.valueIdentifier;
  if (identifier === undefined) return spineError('INVALID_PARAMETER', 'patientNHSNumber is required');
  if (identifier.system !== 'https://fhir.nhs.uk/Id/nhs-number')
    return spineError(
      'INVALID_IDENTIFIER_SYSTEM',
      'patientNHSNumber must use https://fhir.nhs.uk/Id/nhs-number',
    );
  const nhsNumber = typeof identifier.value === 'string' ? identifier.value : '';
  if (!/^\d{10}$/.test(nhsNumber) || !isValidNhsNumber(nhsNumber))
    return spineError('INVALID_NHS_NUMBER', 'patientNHSNumber fails the format or check digit test');
  const include: IncludeRequest = { unsupported: [] };
  const flag = (parameter: ParametersPart, part: string): boolean | null => {
    const value = parameter.part?.find((p) => p.name === part)?.valueBoolean;
    return typeof value === 'boolean' ? value : null;
  };
  for (const parameter of parameters) {
    const name = typeof parameter.name === 'string' ? parameter.name : '';
    if (name === 'patientNHSNumber') continue;
    if (name === 'includeAllergies') {
      const resolved = flag(parameter, 'includeResolvedAllergies');
      if (resolved === null)
        return spineError('INVALID_PARAMETER', 'includeAllergies needs includeResolvedAllergies');
      include.allergies = { resolved };
    } else if (name === 'includeMedication') {
      const issues = flag(parameter, 'includePrescriptionIssues');
      if (issues === null)
        return spineError('INVALID_PARAMETER', 'includeMedication needs includePrescriptionIssues');
      include.medications = { issues };
    } else if (name === 'includeProblems') include.problems = true;
    else if (name === 'includeImmunisations') include.immunisations = true;
    else include.unsupported.push(name);
  }
  return { nhsNumber, include };
}
