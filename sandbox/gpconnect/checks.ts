// What the GP Connect stand-in checks before it answers, as the Spine Secure Proxy and a provider
// would: the Ssp-* headers (integration_spine_secure_proxy.md; retrieve-patient-record "Request
// headers"), the cross-organisation audit JWT (integration_cross_organisation_audit_and_provenance
// .md, APIS.md §2), and its GPConnect-OperationOutcome-1 errors with Spine codes
// (development_fhir_error_handling_guidance.md). A missing or invalid header or claim is 400
// BAD_REQUEST, as the provider acceptance tests expect for each of Ssp-TraceID, Ssp-From, Ssp-To,
// Ssp-InteractionId and Authorization (gpconnect-provider-testing ReadAppointment.feature).
import type { IncomingHttpHeaders } from 'node:http';
import { headerValue } from '../http-util.js';

/** Interaction ids (integration_interaction_ids.md, as SDS lists them for a GP Connect provider). */
export const INTERACTION = {
  structured: 'urn:nhs:names:services:gpconnect:fhir:operation:gpc.getstructuredrecord-1',
  searchPatient: 'urn:nhs:names:services:gpconnect:fhir:rest:search:patient-1',
  searchSlots: 'urn:nhs:names:services:gpconnect:fhir:rest:search:slot-1',
  book: 'urn:nhs:names:services:gpconnect:fhir:rest:create:appointment-1',
  readAppointment: 'urn:nhs:names:services:gpconnect:fhir:rest:read:appointment-1',
  cancel: 'urn:nhs:names:services:gpconnect:fhir:rest:cancel:appointment-1',
  patientAppointments: 'urn:nhs:names:services:gpconnect:fhir:rest:search:patient_appointments-1',
} as const;
export type Interaction = keyof typeof INTERACTION;

/** The requested_scope each interaction needs. */
const SCOPE: Record<Interaction, string> = {
  structured: 'patient/*.read',
  searchPatient: 'patient/*.read',
  searchSlots: 'organization/*.read',
  book: 'patient/*.write',
  readAppointment: 'patient/*.read',
  cancel: 'patient/*.write',
  patientAppointments: 'patient/*.read',
};

/** Spine error codes: HTTP status, FHIR issue type and display (Spine-ErrorOrWarningCode-1). */
const SPINE: Record<string, [number, string, string]> = {
  BAD_REQUEST: [400, 'invalid', 'Bad request'],
  INVALID_NHS_NUMBER: [400, 'value', 'Invalid NHS number'],
  INVALID_IDENTIFIER_SYSTEM: [400, 'value', 'Invalid identifier system'],
  NO_PATIENT_CONSENT: [403, 'forbidden', 'Patient has not provided consent to share data'],
  NO_RELATIONSHIP: [403, 'forbidden', 'No legitimate relationship exists with this patient'],
  PATIENT_NOT_FOUND: [404, 'not-found', 'Patient not found'],
  NO_RECORD_FOUND: [404, 'not-found', 'No record found'],
  DUPLICATE_REJECTED: [409, 'duplicate', 'Create would lead to creation of a duplicate resource'],
  INVALID_PARAMETER: [422, 'invalid', 'Submitted parameter is not valid.'],
  INVALID_RESOURCE: [422, 'invalid', 'Submitted resource is not valid.'],
  REFERENCE_NOT_FOUND: [422, 'invalid', 'Referenced resource not found.'],
};

export interface Refusal {
  status: number;
  body: unknown;
}

/** A GPConnect-OperationOutcome-1 with a Spine code; `status` overrides the code's usual status. */
export function spineError(code: string, diagnostics?: string, status?: number): Refusal {
  const [usual, issueCode, display] = SPINE[code] ?? [500, 'exception', 'Internal server error'];
  return {
    status: status ?? usual,
    body: {
      resourceType: 'OperationOutcome',
      meta: { profile: ['https://fhir.nhs.uk/STU3/StructureDefinition/GPConnect-OperationOutcome-1'] },
      issue: [
        {
          severity: 'error',
          code: issueCode,
          details: {
            coding: [
              { system: 'https://fhir.nhs.uk/STU3/CodeSystem/Spine-ErrorOrWarningCode-1', code, display },
            ],
          },
          ...(diagnostics ? { diagnostics } : {}),
        },
      ],
    },
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ASID = /^\d{1,12}$/;
/** Clock skew tolerated on `iat`. */
const SKEW_SECONDS = 60;

/**
 * Null when the request carries what GP Connect needs for `interaction`, else the refusal.
 * `serviceRoot` is the provider FHIR service root path the request was sent to (the JWT's `aud`
 * must name it). `nowSeconds` is injectable for tests.
 */
export function checkRequest(
  headers: IncomingHttpHeaders,
  interaction: Interaction,
  serviceRoot: string,
  nowSeconds = Math.floor(Date.now() / 1000),
): Refusal | null {
  const header = (name: string) => headerValue(headers[name.toLowerCase()]);
  const invalid = (name: string) => spineError('BAD_REQUEST', `${name} HTTP Header is missing or invalid.`);
  if (!UUID.test(header('Ssp-TraceID') ?? '')) return invalid('Ssp-TraceID');
  if (!ASID.test(header('Ssp-From') ?? '')) return invalid('Ssp-From');
  if (!ASID.test(header('Ssp-To') ?? '')) return invalid('Ssp-To');
  if (header('Ssp-InteractionID') !== INTERACTION[interaction]) return invalid('Ssp-InteractionID');
  const bearer = /^Bearer (\S+)$/.exec(header('Authorization') ?? '')?.[1];
  if (bearer === undefined) return invalid('Authorization');
  const problem = jwtProblem(bearer, interaction, serviceRoot, nowSeconds);
  return problem === null ? null : spineError('BAD_REQUEST', problem);
}

type Claims = Record<string, unknown>;

function decodePart(part: string | undefined): Claims | null {
  if (part === undefined) return null;
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Claims) : null;
  } catch {
    return null;
  }
}

const resourceOf = (claims: Claims, name: string, type: string): Claims | null => {
  const value = claims[name];
  return typeof value === 'object' && value !== null && (value as Claims)['resourceType'] === type
    ? (value as Claims)
    : null;
};

/** Why the audit JWT is not acceptable, as diagnostics; null when it is. */
export function jwtProblem(
  token: string,
  interaction: Interaction,
  serviceRoot: string,
  nowSeconds: number,
): string | null {
  const parts = token.split('.');
  if (parts.length !== 3) return 'JWT must have three parts';
  const [headerPart, payloadPart, signature] = parts;
  const header = decodePart(headerPart);
  if (header?.['alg'] !== 'none' || header['typ'] !== 'JWT')
    return 'JWT header must be {"alg":"none","typ":"JWT"}';
  if (signature !== '') return 'JWT signature must be empty (alg none)';
  const claims = decodePart(payloadPart);
  if (claims === null) return 'JWT claims are not valid JSON';
  for (const claim of ['iss', 'sub', 'aud', 'reason_for_request', 'requested_scope']) {
    if (typeof claims[claim] !== 'string' || claims[claim] === '')
      return `JWT ${claim} claim is missing or empty`;
  }
  const { iat, exp } = claims;
  if (typeof iat !== 'number' || typeof exp !== 'number') return 'JWT iat and exp must be numbers';
  if (exp - iat !== 300) return 'JWT exp must be iat + 300 seconds';
  if (iat > nowSeconds + SKEW_SECONDS || exp <= nowSeconds) return 'JWT is not current';
  if (claims['reason_for_request'] !== 'directcare') return 'JWT reason_for_request must be directcare';
  if (claims['requested_scope'] !== SCOPE[interaction])
    return `JWT requested_scope must be ${SCOPE[interaction]} for this interaction`;
  if (!String(claims['aud']).replace(/\/+$/, '').endsWith(serviceRoot))
    return 'JWT aud must be the provider FHIR service root';
  if (resourceOf(claims, 'requesting_device', 'Device') === null)
    return 'JWT requesting_device must be a Device';
  const organization = resourceOf(claims, 'requesting_organization', 'Organization');
  const ods = JSON.stringify(organization?.['identifier'] ?? []);
  if (!ods.includes('https://fhir.nhs.uk/Id/ods-organization-code'))
    return 'JWT requesting_organization must be an Organization with an ODS code';
  const practitioner = resourceOf(claims, 'requesting_practitioner', 'Practitioner');
  if (practitioner === null || practitioner['id'] !== claims['sub'])
    return 'JWT requesting_practitioner must be a Practitioner whose id is the sub claim';
  return null;
}
