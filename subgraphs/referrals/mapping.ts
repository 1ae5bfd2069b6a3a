// e-RS FHIR (STU3 and R4) -> canonical referrals. Pure functions, no I/O: the source fetches and
// parses, these decide what the graph shows. References are to the e-RS specification
// (e-referrals-service-api.yaml and its components) and the published sandbox mocks, copied in
// sandbox/fixtures/ers/.
import type { GraphQLError } from 'graphql';
import type { Concept } from '../../platform/canonical.js';
import {
  badUserInput,
  commonUpstreamErrors,
  ErrorCode,
  type UpstreamErrorRule,
  upstreamRuleError,
} from '../../platform/errors.js';
import {
  CodeableConceptSchema,
  CodingSchema,
  extensionValue,
  findExtension,
  toConcept,
  type FhirCodeableConcept,
  type FhirCoding,
  type FhirExtension,
} from '../../platform/fhir.js';
import { z } from 'zod';
import {
  ContainedAppointmentSchema,
  ContainedListSchema,
  ContainedParametersSchema,
  ERS_SERVICE_SYSTEM,
  EXT,
  NHS_NUMBER_SYSTEMS,
  ODS_ORGANISATION_SYSTEMS,
  SDS_USER_SYSTEM,
  UBRN_PATTERN,
  ubrnOf,
  type ErsHealthcareService,
  type ErsOperationOutcome,
  type ErsReference,
  type ErsReferralRequest,
  type ErsServiceRequest,
  type ErsWorklist,
} from './fhir.js';
import type {
  ReferralAppointment,
  ReferralRecord,
  ReferralRequester,
  ReferralServiceRecord,
  WorklistEntry,
} from './model.js';
import { UpstreamKey } from '../../platform/upstream-keys.js';

export const SERVICE = 'e-RS';

/** Refuses anything but a 12-digit UBRN (fhir.ts UBRN_PATTERN), naming the argument. */
export function checkUbrn(ubrn: string, argument = 'ubrn'): string {
  if (!UBRN_PATTERN.test(ubrn)) {
    throw badUserInput(`${argument} must be a UBRN: 12 digits, e.g. 000000070000.`, argument);
  }
  return ubrn;
}

/** A035: "a set of services (up to 20) ... in a single call"; e-RS service ids are digits. */
export const MAX_SERVICE_IDS = 20;
const SERVICE_ID = UpstreamKey.ersServiceId.pattern;

export function checkServiceIds(ids: readonly string[], argument = 'ids'): string[] {
  const distinct = [...new Set(ids)];
  if (distinct.length === 0 || distinct.length > MAX_SERVICE_IDS) {
    throw badUserInput(`${argument} must hold 1 to ${MAX_SERVICE_IDS} e-RS service ids.`, argument);
  }
  if (!distinct.every((id) => SERVICE_ID.test(id))) {
    throw badUserInput(`${argument} must be e-RS service ids: digits only, e.g. 11002.`, argument);
  }
  return distinct;
}

// ---------------------------------------------------------------------------------------------
// Codings. The published e-RS sandbox mocks name some code systems relative to the API itself,
// with the template placeholder `_baseUrl_` (e.g. `_baseUrl_/STU3/CodeSystem/SPECIALTY`), which
// the e-RS sandbox replaces with its own base URL when it answers. nhs-graph's sandbox serves the
// mocks byte for byte, so the placeholder reaches the mapping. It is resolved here to the
// production e-RS base URL (the specification's `servers`), so the same code system has one URI
// whichever e-RS environment or stand-in answered; the code and display are kept unchanged and
// the coding is never dropped.

/** The production e-RS FHIR base that `_baseUrl_` stands for. */
export const ERS_PUBLIC_BASE_URL = 'https://api.service.nhs.uk/referrals/FHIR';
const BASE_URL_PLACEHOLDER = '_baseUrl_';

export function resolveSystem(system: string | undefined): string | undefined {
  if (system === undefined || !system.startsWith(BASE_URL_PLACEHOLDER)) return system;
  return `${ERS_PUBLIC_BASE_URL}${system.slice(BASE_URL_PLACEHOLDER.length)}`;
}

const resolveCoding = (coding: FhirCoding): FhirCoding => {
  const system = resolveSystem(coding.system);
  return system === undefined ? coding : { ...coding, system };
};

/** A CodeableConcept as a Concept: SNOMED CT when a coding is SNOMED, else unmapped, codings kept. */
export function ersConcept(concept: FhirCodeableConcept): Concept {
  return toConcept({ ...concept, ...(concept.coding ? { coding: concept.coding.map(resolveCoding) } : {}) });
}

const codingConcept = (coding: FhirCoding): Concept => ersConcept({ coding: [coding] });

/** A bare FHIR code (e.g. ServiceRequest.status) as an unmapped Concept in its FHIR code system. */
const fhirCodeConcept = (system: string, code: string): Concept => codingConcept({ system, code });

// ---------------------------------------------------------------------------------------------
// STU3 eRS-ReferralRequest-1 -> ReferralRecord

const StateSchema = CodingSchema;
const InstantSchema = z.string();

export function fromReferralRequest(
  referral: ErsReferralRequest,
  context: { retrievedAt: string },
): ReferralRecord {
  const extensions = referral.extension ?? [];
  const contained = referral.contained ?? [];
  const state = extensionValue(
    findExtension(findExtension(extensions, EXT.referralState)?.extension, 'state'),
    'valueCoding',
    StateSchema,
  );
  const priority = extensionValue(
    findExtension(extensions, EXT.priority),
    'valueCodeableConcept',
    CodeableConceptSchema,
  );
  const appointment = containedBy(extensions, EXT.appointment, contained, ContainedAppointmentSchema);
  const shortlist = containedBy(extensions, EXT.shortlist, contained, ContainedListSchema);
  const criteria = contained.flatMap((resource) => {
    const parsed = ContainedParametersSchema.safeParse(resource);
    return parsed.success ? [parsed.data] : [];
  });
  const criterion = (name: string) =>
    criteria.flatMap((p) => p.parameter ?? []).find((p) => p.name === name)?.valueCoding;
  const specialty = referral.specialty ?? wrap(criterion('specialty'));
  const clinicType = wrap(criterion('clinicType'));
  const booked = appointment?.participant
    ?.map((participant) => participant.actor)
    .find((actor) => actor?.identifier?.system === ERS_SERVICE_SYSTEM);
  return {
    ubrn: referral.id,
    nhsNumber: referral.subject.identifier.value,
    // The "at a glance" e-RS referral state (A005: eRS-ReferralState-1); FHIR status otherwise.
    status: state?.code
      ? codingConcept(state)
      : fhirCodeConcept('http://hl7.org/fhir/referral-status', referral.status),
    priority: priority ? ersConcept(priority) : null,
    specialty: specialty ? ersConcept(specialty) : null,
    clinicType: clinicType ? ersConcept(clinicType) : null,
    category: null,
    requester: toRequester(referral.requester?.agent, referral.requester?.onBehalfOf),
    service: booked ? serviceFromReference(booked) : null,
    shortlist: (shortlist?.entry ?? []).flatMap((entry) =>
      entry.item.identifier?.system === ERS_SERVICE_SYSTEM ? [serviceFromReference(entry.item)] : [],
    ),
    appointment: appointment ? toAppointment(appointment) : null,
    authoredOn: referral.authoredOn ?? null,
    clinicalInfoFirstSubmitted:
      extensionValue(
        findExtension(extensions, EXT.clinicalInfoFirstSubmitted),
        'valueDateTime',
        InstantSchema,
      ) ?? null,
    pathwayStart:
      extensionValue(findExtension(extensions, EXT.pathwayStart), 'valueInstant', InstantSchema) ?? null,
    provenance: { source: SERVICE, retrievedAt: context.retrievedAt, stale: false },
  };
}

const wrap = (coding: FhirCoding | undefined): FhirCodeableConcept | undefined =>
  coding === undefined ? undefined : { coding: [coding] };

const LocalReferenceSchema = z.object({ reference: z.string() });

/** The contained resource an extension's valueReference (`#appointment`) points at. */
function containedBy<T>(
  extensions: readonly FhirExtension[],
  url: string,
  contained: ReadonlyArray<Record<string, unknown>>,
  schema: z.ZodType<T>,
): T | undefined {
  const reference = extensionValue(findExtension(extensions, url), 'valueReference', LocalReferenceSchema);
  if (!reference?.reference.startsWith('#')) return undefined;
  const id = reference.reference.slice(1);
  const parsed = schema.safeParse(contained.find((resource) => resource['id'] === id));
  return parsed.success ? parsed.data : undefined;
}

function toAppointment(appointment: z.infer<typeof ContainedAppointmentSchema>): ReferralAppointment {
  return {
    status: appointment.status ?? null,
    start: appointment.start ?? null,
    end: appointment.end ?? null,
    created: appointment.created ?? null,
  };
}

function serviceFromReference(reference: ErsReference): ReferralServiceRecord {
  return {
    id: reference.identifier?.value ?? '',
    name: reference.display ?? null,
    active: null,
    types: [],
    odsCode: null,
  };
}

const odsCodeIn = (reference: ErsReference | undefined): string | null => {
  const identifier = reference?.identifier;
  return identifier?.system !== undefined && ODS_ORGANISATION_SYSTEMS.includes(identifier.system)
    ? (identifier.value ?? null)
    : null;
};

function toRequester(
  agent: ErsReference | undefined,
  onBehalfOf: ErsReference | undefined,
): ReferralRequester | null {
  const userId = agent?.identifier?.system === SDS_USER_SYSTEM ? (agent.identifier.value ?? null) : null;
  const odsCode = odsCodeIn(onBehalfOf) ?? odsCodeIn(agent);
  return userId === null && odsCode === null ? null : { userId, odsCode };
}

// ---------------------------------------------------------------------------------------------
// R4 ServiceRequest -> ReferralRecord. A041 returns the request's id, UBRN, status, category and
// subject; everything else is null until e-RS's R4 referral read is published.

export function fromServiceRequest(
  request: ErsServiceRequest,
  context: { retrievedAt: string },
): ReferralRecord {
  const category = request.category?.[0];
  return {
    // The schema guarantees the UBRN identifier (fhir.ts).
    ubrn: ubrnOf(request.identifier) ?? '',
    nhsNumber: request.subject.identifier.value,
    status: fhirCodeConcept('http://hl7.org/fhir/request-status', request.status),
    priority: request.priority
      ? fhirCodeConcept('http://hl7.org/fhir/request-priority', request.priority)
      : null,
    specialty: null,
    clinicType: null,
    category: category ? ersConcept(category) : null,
    requester: toRequester(request.requester, undefined),
    service: null,
    shortlist: [],
    appointment: null,
    authoredOn: request.authoredOn ?? null,
    clinicalInfoFirstSubmitted: null,
    pathwayStart: null,
    provenance: { source: SERVICE, retrievedAt: context.retrievedAt, stale: false },
  };
}

// ---------------------------------------------------------------------------------------------
// R4 HealthcareService -> ReferralServiceRecord

export function fromHealthcareService(service: ErsHealthcareService): ReferralServiceRecord {
  return {
    id: service.id,
    name: service.name ?? null,
    active: service.active ?? null,
    types: (service.type ?? []).map(ersConcept),
    // providedBy when e-RS sends it; else the ODS site (or organisation) the service is located at.
    odsCode:
      odsCodeIn(service.providedBy) ?? service.location?.map(odsCodeIn).find((c) => c !== null) ?? null,
  };
}

// ---------------------------------------------------------------------------------------------
// STU3 worklists -> which referral belongs to which patient

const WorklistPatientSchema = z.object({
  reference: z.string().optional(),
  identifier: z.object({ system: z.string(), value: z.string() }).optional(),
});
const REFERRAL_REFERENCE = /^ReferralRequest\/(\d{12})$/;

/**
 * Every entry that names both a referral (by UBRN) and its patient (by NHS number): directly
 * (referring organisations' lists) or through a contained Patient (`#Patient-…`, providers' lists).
 */
export function toWorklistEntries(worklist: ErsWorklist): WorklistEntry[] {
  const containedNhsNumber = (reference: string | undefined): string | undefined => {
    if (!reference?.startsWith('#')) return undefined;
    const patient = worklist.contained?.find((resource) => resource.id === reference.slice(1));
    return patient?.identifier?.find((i) => i.system !== undefined && NHS_NUMBER_SYSTEMS.includes(i.system))
      ?.value;
  };
  return (worklist.entry ?? []).flatMap((entry) => {
    const ubrn = REFERRAL_REFERENCE.exec(entry.item.reference ?? '')?.[1];
    const nhsNumber = (entry.extension ?? [])
      .flatMap((item) => item.extension ?? [])
      .filter((inner) => inner.url === 'patient')
      .map((inner) => extensionValue(inner, 'valueReference', WorklistPatientSchema))
      .map((patient) =>
        patient?.identifier && NHS_NUMBER_SYSTEMS.includes(patient.identifier.system)
          ? patient.identifier.value
          : containedNhsNumber(patient?.reference),
      )
      .find((found) => found !== undefined);
    return ubrn !== undefined && nhsNumber !== undefined ? [{ ubrn, nhsNumber }] : [];
  });
}

// ---------------------------------------------------------------------------------------------
// e-RS errors -> graph errors. Messages are ours: e-RS `diagnostics` never reach a client; its
// code (eRS-APIErrorCode-1, NHSD-API-ErrorOrWarningCode, ers-error-codes, http-error-codes) goes
// in `extensions.upstreamCode`.

const ERROR_CODE_SYSTEMS: readonly string[] = [
  'https://fhir.nhs.uk/STU3/CodeSystem/eRS-APIErrorCode-1',
  'https://fhir.nhs.uk/CodeSystem/NHSD-API-ErrorOrWarningCode',
  'https://fhir.nhs.uk/CodeSystem/ers-error-codes',
  'https://fhir.nhs.uk/CodeSystem/http-error-codes',
];

const { REJECTED, UNAVAILABLE, RATE_LIMITED, INVALID_RESPONSE } = commonUpstreamErrors(SERVICE);
const NOT_FOUND: UpstreamErrorRule = {
  code: ErrorCode.NOT_FOUND,
  message: 'e-RS holds no referral or service with this reference.',
};
const NOT_A_REFERRAL: UpstreamErrorRule = {
  code: ErrorCode.NOT_FOUND,
  message: 'e-RS knows this UBRN, but not as an active referral request.',
};
const NO_RELATIONSHIP: UpstreamErrorRule = {
  code: ErrorCode.FORBIDDEN,
  message: 'e-RS says you have no legitimate relationship with this referral.',
};
const E_RS_FORBIDDEN: UpstreamErrorRule = {
  code: ErrorCode.FORBIDDEN,
  message: 'e-RS does not allow your role to see this.',
};
const LOCKED: UpstreamErrorRule = {
  code: ErrorCode.CONFLICT,
  message: 'e-RS is updating this referral for someone else just now; read it again shortly.',
};
const CONFLICT: UpstreamErrorRule = {
  code: ErrorCode.CONFLICT,
  message: 'e-RS holds a newer version of this referral; read it again.',
};

/** 422 business-rule failures (e.g. retrieveReferralRequest/422Response.yaml), by e-RS code. */
const BUSINESS_RULES = new Map<string, UpstreamErrorRule>([
  ['NO_RELATIONSHIP', NO_RELATIONSHIP],
  ['INVALID_REQUEST_TYPE', NOT_A_REFERRAL],
  // "An error occurred while retrieving the requested patient. Do not attempt again."
  ['PATIENT_ERROR', REJECTED],
  // R4 422 PENDING: "The file is being scanned ... Wait at least 5 minutes" (retried later).
  ['PENDING', UNAVAILABLE],
]);
/** e-RS asks callers to wait at least 5 minutes after a PENDING (NHSDigital-OperationOutcome-422). */
const PENDING_RETRY_SECONDS = 300;

/**
 * The graph error for an e-RS answer that is not the data asked for. `outcome` is null when the
 * body was not an OperationOutcome; `retryAfterSeconds` comes from a `Retry-After` header.
 */
export function toUpstreamError(
  status: number,
  outcome: ErsOperationOutcome | null,
  retryAfterSeconds?: number,
): GraphQLError {
  const upstreamCode = outcome === null ? undefined : ersCode(outcome);
  const rule = errorRule(status, outcome, upstreamCode);
  // e-RS PENDING (a referral still being created) is worth retrying shortly even without Retry-After.
  const retryAfter =
    upstreamCode === 'PENDING' ? (retryAfterSeconds ?? PENDING_RETRY_SECONDS) : retryAfterSeconds;
  return upstreamRuleError(rule, { service: SERVICE, upstreamCode, retryAfterSeconds: retryAfter });
}

function errorRule(
  status: number,
  outcome: ErsOperationOutcome | null,
  upstreamCode: string | undefined,
): UpstreamErrorRule {
  // TooManyRequests.yaml: 429 with TOO_MANY_REQUESTS (issue code `throttled`); back off.
  if (status === 429) return RATE_LIMITED;
  // Locked.yaml: pessimistic locking; "fetch the resource again and re-try ... later".
  if (status === 423) return LOCKED;
  if (status === 408 || status >= 500) return UNAVAILABLE;
  if (status === 409 || status === 412) return CONFLICT;
  if (status === 422) return (upstreamCode && BUSINESS_RULES.get(upstreamCode)) || REJECTED;
  // NHSDigital-OperationOutcome-404: REC_NOT_FOUND, issue code `not-found`. A 404 without it may
  // be a gateway answering a wrong path: "no such referral" would then be wrong, so it is not said.
  if (status === 404) return isNotFound(outcome) ? NOT_FOUND : REJECTED;
  // e-RS refusing the user's role (STU3 FORBIDDEN, R4 REC_FORBIDDEN) speaks of the caller; 401 is
  // nhs-graph's own credentials (ACCESS_DENIED, NO_ACCESS), not the caller's fault.
  if (status === 403) return E_RS_FORBIDDEN;
  if (status >= 400) return REJECTED;
  return INVALID_RESPONSE;
}

const isNotFound = (outcome: ErsOperationOutcome | null): boolean =>
  (outcome?.issue ?? []).some((issue) => issue.code === 'not-found');

function ersCode(outcome: ErsOperationOutcome): string | undefined {
  for (const issue of outcome.issue) {
    const coding = issue.details?.coding?.find(
      (c) => c.system !== undefined && ERROR_CODE_SYSTEMS.includes(c.system) && c.code !== undefined,
    );
    if (coding?.code !== undefined) return coding.code;
  }
  return undefined;
}
