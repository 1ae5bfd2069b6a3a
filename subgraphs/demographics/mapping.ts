// PDS FHIR -> canonical demographics. Pure functions, no I/O: the source fetches and parses,
// these decide what the graph may show. Spec references are to
// NHSDigital/personal-demographics-service-api, specification/ (copied in sandbox/fixtures/pds/).
import type { GraphQLError } from 'graphql';
import {
  badUserInput,
  ErrorCode,
  commonUpstreamErrors,
  type UpstreamErrorRule,
  upstreamRuleError,
} from '../../platform/errors.js';
import {
  CodeableConceptSchema,
  extensionValue,
  findExtension,
  hasEnded,
  toPeriod,
} from '../../platform/fhir.js';
import {
  DEATH_NOTIFICATION_STATUS_URL,
  ODS_ORGANISATION_CODE_SYSTEM,
  SPINE_ERROR_OR_WARNING_CODE_SYSTEM,
  type PdsAddress,
  type PdsContactPoint,
  type PdsHumanName,
  type PdsOperationOutcome,
  type PdsPatient,
  type PdsSearchBundle,
} from './fhir.js';
import type {
  Address,
  AddressChange,
  ContactPoint,
  Death,
  DeathNotificationStatus,
  Gender,
  HumanName,
  JsonPatchOperation,
  PatientMatch,
  PatientRecord,
  PatientSearchCriteria,
} from './model.js';

const SERVICE = 'PDS';

export interface PatientMappingContext {
  /** The NHS number nhs-graph asked PDS for; differs from the answer's id when superseded. */
  requestedNhsNumber: string;
  /** ISO instant the payload was received. */
  retrievedAt: string;
}

export function toPatientRecord(patient: PdsPatient, context: PatientMappingContext): PatientRecord {
  const names = (patient.name ?? []).map(toHumanName);
  const restricted = isRestricted(patient);
  return {
    // patient-get.yaml: a superseded number answers with the superseding record, whose id is
    // the number to key on from now on; the number asked for is kept so callers can reconcile.
    nhsNumber: patient.id,
    supersededNhsNumbers: context.requestedNhsNumber === patient.id ? [] : [context.requestedNhsNumber],
    usualName: names.find((n) => n.use === 'USUAL') ?? names[0] ?? null,
    names,
    birthDate: patient.birthDate ?? null,
    gender: patient.gender === undefined ? null : GENDER[patient.gender],
    // CLINICAL SAFETY: a restricted patient's location must not be disclosed. PDS removes these
    // elements itself (Meta.yaml), but we never rely on the upstream having done so.
    address: restricted ? null : currentHomeAddress(patient.address ?? [], context.retrievedAt),
    telecom: restricted ? [] : (patient.telecom ?? []).flatMap(toContactPoint),
    registeredGpOdsCode: restricted ? null : registeredGpOdsCode(patient),
    restricted,
    deceased: toDeath(patient),
    versionId: patient.meta?.versionId ?? null,
    provenance: { source: SERVICE, retrievedAt: context.retrievedAt, stale: false },
  };
}

/** Search results, best match first (PDS sorts them already; we do not rely on it). */
export function toPatientMatches(bundle: PdsSearchBundle, context: { retrievedAt: string }): PatientMatch[] {
  return (bundle.entry ?? [])
    .map((entry) => ({
      score: entry.search.score,
      // A search has no "requested" number: each record is keyed on its own id.
      patient: toPatientRecord(entry.resource, { requestedNhsNumber: entry.resource.id, ...context }),
    }))
    .sort((a, b) => b.score - a.score); // Array#sort is stable: equal scores keep PDS's order.
}

const GENDER: Record<NonNullable<PdsPatient['gender']>, Gender> = {
  male: 'MALE',
  female: 'FEMALE',
  other: 'OTHER',
  unknown: 'UNKNOWN',
};

// Meta.yaml: R is restricted; V (very restricted) is stricter still, so it is treated the same.
// The label's system is not checked: PDS only sends v3-Confidentiality here, and a label that
// says R under any system is reason enough to withhold.
const RESTRICTED_LABELS = new Set(['R', 'V']);

function isRestricted(patient: PdsPatient): boolean {
  return (patient.meta?.security ?? []).some(
    (label) => label.code !== undefined && RESTRICTED_LABELS.has(label.code),
  );
}

function toHumanName(name: PdsHumanName): HumanName {
  const prefix = name.prefix ?? [];
  const given = name.given ?? [];
  const suffix = name.suffix ?? [];
  const family = name.family ?? null;
  const parts = [...prefix, ...given, family ?? '', ...suffix].map((p) => p.trim()).filter((p) => p !== '');
  return {
    use: upper(name.use),
    prefix,
    given,
    family,
    suffix,
    text: parts.length > 0 ? parts.join(' ') : (name.text ?? ''),
    period: toPeriod(name.period),
  };
}

/**
 * The home address in force when the record was retrieved; failing that the first home address,
 * then the first address. Each address carries its period, so an ended one is visible as such.
 */
function currentHomeAddress(addresses: readonly PdsAddress[], at: string): Address | null {
  const homes = addresses.filter((a) => a.use === 'home');
  const chosen = homes.find((a) => !hasEnded(a.period, at)) ?? homes[0] ?? addresses[0];
  if (chosen === undefined) return null;
  return {
    id: chosen.id ?? null,
    use: upper(chosen.use),
    lines: chosen.line ?? [],
    postcode: chosen.postalCode ?? null,
    period: toPeriod(chosen.period),
  };
}

// A contact point without a system or value gives nothing to contact, so it has no canonical form.
function toContactPoint(telecom: PdsContactPoint): ContactPoint[] {
  if (telecom.system === undefined || telecom.value === undefined) return [];
  return [
    {
      system: telecom.system.toUpperCase(),
      value: telecom.value,
      use: upper(telecom.use),
      period: toPeriod(telecom.period),
    },
  ];
}

// GeneralPractitionerReference.yaml: at most one entry, the current GP practice by ODS code.
function registeredGpOdsCode(patient: PdsPatient): string | null {
  const gp = (patient.generalPractitioner ?? []).find(
    (ref) => ref.identifier?.system === ODS_ORGANISATION_CODE_SYSTEM,
  );
  return gp?.identifier?.value ?? null;
}

// UK Core DeathNotificationStatus (extensions/DeathNotificationStatus.yaml): 1 informal, 2 formal,
// U removed. A removed notification without a date of death does not make the patient deceased.
const DEATH_NOTIFICATION = new Map<string, DeathNotificationStatus>([
  ['1', 'INFORMAL'],
  ['2', 'FORMAL'],
]);

function toDeath(patient: PdsPatient): Death | null {
  const notificationStatus = deathNotificationStatus(patient);
  const dateTime = patient.deceasedDateTime ?? null;
  if (dateTime === null && notificationStatus === null && patient.deceasedBoolean !== true) return null;
  return { dateTime, notificationStatus };
}

function deathNotificationStatus(patient: PdsPatient): DeathNotificationStatus | null {
  const outer = findExtension(patient.extension, DEATH_NOTIFICATION_STATUS_URL);
  const status = extensionValue(
    findExtension(outer?.extension, 'deathNotificationStatus'),
    'valueCodeableConcept',
    CodeableConceptSchema,
  );
  const code = status?.coding?.find((c) => c.code !== undefined)?.code;
  return code === undefined ? null : (DEATH_NOTIFICATION.get(code) ?? null);
}

function upper(value: string | undefined): string | null {
  return value === undefined ? null : value.toUpperCase();
}

// ---------------------------------------------------------------------------------------------
// Search criteria -> PDS query (personal-demographics.yaml, components/parameters).

const MAX_RESULTS = { min: 1, max: 50 }; // `_max-results`: 1 to 50 for healthcare worker access.

export function toPdsSearchParams(criteria: PatientSearchCriteria): URLSearchParams {
  const params = new URLSearchParams();
  const set = (name: string, value: string | null | undefined) => {
    if (value !== null && value !== undefined && value !== '') params.append(name, value);
  };
  set('family', criteria.family);
  // One value: a compound first name such as "John Paul" is a single `given` (Given parameter).
  set('given', criteria.given);
  // Birthdate parameter: `<eq|ge|le>yyyy-mm-dd`; an exact date is `eq`.
  set('birthdate', criteria.birthDate ? `eq${criteria.birthDate}` : null);
  set('gender', criteria.gender?.toLowerCase());
  // AddressPostcode is marked for deprecation in favour of `address-postalcode`, and sending both
  // is INVALID_SEARCH_DATA; we send only the current name.
  set('address-postalcode', criteria.postcode);
  if (criteria.fuzzy === true) params.append('_fuzzy-match', 'true');
  if (criteria.limit !== null && criteria.limit !== undefined) {
    params.append('_max-results', String(maxResults(criteria.limit)));
  }
  return params;
}

function maxResults(limit: number): number {
  if (!Number.isInteger(limit) || limit < MAX_RESULTS.min || limit > MAX_RESULTS.max) {
    throw badUserInput(
      `limit must be a whole number from ${MAX_RESULTS.min} to ${MAX_RESULTS.max}.`,
      'limit',
    );
  }
  return limit;
}

// ---------------------------------------------------------------------------------------------
// PDS errors -> graph errors. Messages are ours: PDS `diagnostics` can carry internal detail and
// never reaches a client; the Spine code goes in `extensions.upstreamCode`.

const { REJECTED, UNAVAILABLE, RATE_LIMITED, INVALID_RESPONSE } = commonUpstreamErrors('PDS');
const VERSION_CONFLICT: UpstreamErrorRule = {
  code: ErrorCode.CONFLICT,
  message: 'The PDS record has changed since it was read; read it again before updating.',
};
const badInput = (message: string): UpstreamErrorRule => ({ code: ErrorCode.BAD_USER_INPUT, message });
const BAD_VALUES = badInput('PDS did not accept some of the values in this request.');

/** Spine-ErrorOrWarningCode -> our code. Statuses are from the tables in specification/components/paths/. */
const BY_SPINE_CODE = new Map<string, UpstreamErrorRule>(
  Object.entries({
    // 404, patient-get.yaml.
    RESOURCE_NOT_FOUND: { code: ErrorCode.NOT_FOUND, message: 'PDS holds no patient with this NHS number.' },
    // 404, patient-get.yaml: invalidated and NOT superseded (a superseded number answers 200).
    INVALIDATED_RESOURCE: {
      code: ErrorCode.NOT_FOUND,
      message: 'The PDS record for this NHS number has been invalidated and not replaced by another.',
    },
    // 400, patient-get.yaml: PDS's own NHS number check.
    INVALID_RESOURCE_ID: badInput('PDS does not accept this NHS number.'),
    // 400, patient-search.yaml: not a combination PDS can search on.
    INVALID_SEARCH_DATA: badInput(
      'PDS cannot search on this combination of criteria; add or change criteria.',
    ),
    // 400, patient-get.yaml / patient-search.yaml: no NHS number or no search parameters at all.
    UNSUPPORTED_SERVICE: badInput('PDS needs an NHS number or search criteria.'),
    // 400, patient-search.yaml: a missing or invalid query parameter or header. Query values come
    // from the caller's criteria; a header fault would be ours, but PDS gives the two the same code
    // and tells them apart only in `diagnostics`, which we do not parse.
    MISSING_VALUE: badInput('PDS says a required value is missing from the request.'),
    INVALID_VALUE: badInput('PDS says a value in the request is not valid.'),
    // 400, patient-patch.yaml / patient-create.yaml: the values the caller sent in an update or
    // create; INVALID_CREATE and INSERT_BIRTH_DEATH_STATUS_INCONSISTENT are karate stubs of the same.
    INVALID_UPDATE: BAD_VALUES,
    INVALID_CREATE: BAD_VALUES,
    VALIDATION_ERROR: BAD_VALUES,
    UNSUPPORTED_CHARACTERS_IN_FIELD: BAD_VALUES,
    UNSUPPORTED_VALUE: BAD_VALUES,
    TOO_FEW_VALUES_SUBMITTED: BAD_VALUES,
    TOO_MANY_VALUES_SUBMITTED: BAD_VALUES,
    INSERT_BIRTH_DEATH_STATUS_INCONSISTENT: BAD_VALUES,
    // 400, patient-search.yaml: an unrecognised query parameter. nhs-graph builds every parameter
    // itself, so this is our fault, not the caller's.
    ADDITIONAL_PROPERTIES: REJECTED,
    // 200 (!), patient-search.yaml: PDS answers a too-broad search with status 200 and this code.
    TOO_MANY_MATCHES: {
      code: ErrorCode.TOO_MANY_MATCHES,
      message: 'Too many patients match this search; add criteria to narrow it.',
    },
    // 409, patient-patch.yaml: the If-Match version is stale.
    RESOURCE_VERSION_MISMATCH: VERSION_CONFLICT,
    // 200, patient-create.yaml: PDS will not create a record that matches an existing one.
    SINGLE_MATCH: { code: ErrorCode.CONFLICT, message: 'PDS already holds a record matching these details.' },
    MULTIPLE_MATCHES: {
      code: ErrorCode.CONFLICT,
      message: 'PDS already holds records matching these details.',
    },
    // 412, patient-patch.yaml: a missing If-Match header is nhs-graph's fault.
    PRECONDITION_FAILED: REJECTED,
    // 401/403, every path: our credentials or our application's PDS entitlements, not the
    // caller's permissions, so not FORBIDDEN. FORBIDDEN_UPDATE (403, patient-patch.yaml) depends
    // on which system sends the update. INVALID_METHOD is a karate stub of the same kind.
    ACCESS_DENIED: REJECTED,
    FORBIDDEN_UPDATE: REJECTED,
    INVALID_METHOD: REJECTED,
    // 408 every path / 503 patient-patch.yaml: retry later (with the same X-Request-ID).
    UNABLE_TO_CALL_SERVICE: UNAVAILABLE,
    SERVICE_UNAVAILABLE: UNAVAILABLE,
    // 429, every path: our application's rate limit (5 TPS by default).
    TOO_MANY_REQUESTS: RATE_LIMITED,
  }),
);

/**
 * The graph error for a PDS answer that is not the data asked for: an error status, or a 200
 * that carries an OperationOutcome (TOO_MANY_MATCHES). `outcome` is null when the body was not
 * an OperationOutcome; `retryAfterSeconds` comes from a `Retry-After` header.
 */
export function toUpstreamError(
  status: number,
  outcome: PdsOperationOutcome | null,
  retryAfterSeconds?: number,
): GraphQLError {
  const upstreamCode = outcome === null ? undefined : spineCode(outcome);
  return upstreamRuleError(errorRule(status, upstreamCode), {
    service: SERVICE,
    upstreamCode,
    retryAfterSeconds,
  });
}

function errorRule(status: number, upstreamCode: string | undefined): UpstreamErrorRule {
  // Statuses that settle who can act, whatever the code: 403 INVALID_VALUE, for one, is our
  // application asking for more results than its access mode allows (patient-search.yaml).
  if (status === 429) return RATE_LIMITED;
  if (status === 408 || status >= 500) return UNAVAILABLE;
  if (status === 401 || status === 403) return REJECTED;
  const known = upstreamCode === undefined ? undefined : BY_SPINE_CODE.get(upstreamCode);
  if (known !== undefined) return known;
  if (status === 409) return VERSION_CONFLICT;
  // A 404 without a Spine code is not PDS saying the patient does not exist (it can be the API
  // gateway answering a wrong path), and telling a clinician "no such patient" wrongly is unsafe.
  if (status >= 400) return REJECTED;
  // A 2xx or 3xx that is neither the resource nor a known outcome (e.g. the sandbox's 200
  // "no example response" warning, NOT_SUPPORTED_SEARCH.json).
  return INVALID_RESPONSE;
}

/** The first Spine-ErrorOrWarningCode in the outcome; failing that, the first code of any system. */
function spineCode(outcome: PdsOperationOutcome): string | undefined {
  const codings = outcome.issue.flatMap((issue) => issue.details?.coding ?? []);
  const spine = codings.find((c) => c.system === SPINE_ERROR_OR_WARNING_CODE_SYSTEM && c.code !== undefined);
  return (spine ?? codings.find((c) => c.code !== undefined))?.code;
}

/**
 * The JSON Patch that makes `change` the patient's home address (patient-patch.yaml). The home
 * address in force is replaced whole, keeping its id, after a `test` that the index still holds
 * that id (PDS requires list items to be named by id; the test stops a reordered list from
 * changing the wrong address). A patient without an address gets one added at `/address/-`.
 * The new address starts today; PDS keeps history by period, not by us ending the old one.
 */
export function toAddressPatch(
  patient: PdsPatient,
  change: Pick<AddressChange, 'lines' | 'postcode'>,
  now: string,
): JsonPatchOperation[] {
  const addresses = patient.address ?? [];
  const current = currentHomeAddress(addresses, now);
  const today = now.slice(0, 10);
  const index = current?.id == null ? -1 : addresses.findIndex((a) => a.id === current.id);
  const value = {
    ...(index >= 0 ? { id: current?.id } : {}),
    use: 'home',
    line: change.lines,
    postalCode: change.postcode,
    period: { start: today },
  };
  if (index < 0) return [{ op: 'add', path: '/address/-', value }];
  return [
    { op: 'test', path: `/address/${index}/id`, value: current?.id },
    { op: 'replace', path: `/address/${index}`, value },
  ];
}

const MAX_ADDRESS_LINES = 5; // PDS Address.yaml: line maxItems 5
const MAX_LINE_LENGTH = 100; // nhs-graph's own bound; PDS publishes none
/**
 * What an address line may hold. PDS publishes no character rule for `Address.line` ("5 lines of
 * unstructured text", patient-patch.yaml; Address.yaml has only maxItems 5) and asks for lines in
 * PAF format. Assumed here: PAF's characters — letters (any script, with accents), digits, space
 * and ' ’ . , - / & ( ) #. Anything else (markup, quotes, controls, line separators) is refused.
 */
const ADDRESS_LINE = /^[\p{L}\p{M}\p{N} '’.,\-/&()#]+$/u;
const UK_POSTCODE = /^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})$/;

/** The change a client asked for, checked and normalised, or BAD_USER_INPUT naming the field. */
export function toAddressChange(input: {
  nhsNumber: string;
  version: string;
  lines: readonly string[];
  postcode: string;
}): AddressChange {
  // Only spaces are trimmed: a CR, LF, TAB or other separator at either end is refused, not hidden.
  const lines = input.lines.map((line) => line.replace(/^ +| +$/g, ''));
  if (lines.length < 1 || lines.length > MAX_ADDRESS_LINES || lines.some((line) => line === ''))
    throw badUserInput(`An address needs 1 to ${MAX_ADDRESS_LINES} non-blank lines.`, 'input.lines');
  lines.forEach((line, i) => {
    if (line.length > MAX_LINE_LENGTH)
      throw badUserInput(
        `Each address line may have at most ${MAX_LINE_LENGTH} characters.`,
        `input.lines.${i}`,
      );
    if (!ADDRESS_LINE.test(line))
      throw badUserInput(
        "An address line may hold letters, digits, spaces and ' ’ . , - / & ( ) # only.",
        `input.lines.${i}`,
      );
  });
  const postcode = UK_POSTCODE.exec(input.postcode.trim().toUpperCase());
  if (postcode === null)
    throw badUserInput('postcode is not a UK postcode (e.g. LS1 4BU).', 'input.postcode');
  if (!/^\d{1,10}$/.test(input.version))
    throw badUserInput('version must be the Patient.version you read (digits).', 'input.version');
  return {
    nhsNumber: input.nhsNumber,
    version: input.version,
    lines,
    postcode: `${postcode[1]} ${postcode[2]}`,
  };
}
