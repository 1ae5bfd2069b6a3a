// ODS FHIR -> canonical organisations. Pure functions, no I/O: the source fetches and parses,
// these decide what the graph shows. Spec references are to the ODT specification
// (organisation-data-terminology-api.yaml) and the ODS implementation guide (IG), whose examples
// are copied in sandbox/fixtures/ods/.
import type { GraphQLError } from 'graphql';
import type { Period } from '../../platform/canonical.js';
import {
  badUserInput,
  ErrorCode,
  commonUpstreamErrors,
  type UpstreamErrorRule,
  upstreamRuleError,
} from '../../platform/errors.js';
import {
  extensionValue,
  hasEnded,
  PeriodSchema,
  toConcept,
  toPeriod,
  type FhirExtension,
} from '../../platform/fhir.js';
import { z } from 'zod';
import {
  ODS_CODE_PATTERN,
  odsCodeOf,
  ORGANISATION_ROLE_URL,
  part,
  TYPED_DATE_TIME_URL,
  TYPED_PERIOD_URL,
  type OdsAddress,
  type OdsContactPoint,
  type OdsOperationOutcome,
  type OdsOrganization,
  type OdsOrganizationAffiliation,
} from './fhir.js';
import type {
  OrganisationAddress,
  OrganisationContactPoint,
  OrganisationRecord,
  OrganisationRelationship,
  OrganisationRole,
  OrganisationSearchCriteria,
} from './model.js';
import { primaryRoleCode } from './primary-role.js';

const SERVICE = 'ODS';

/** Refuses anything but an ODS code (fhir.ts ODS_CODE_PATTERN), naming the argument. */
export function checkOdsCode(odsCode: string, argument = 'odsCode'): string {
  if (!ODS_CODE_PATTERN.test(odsCode)) {
    throw badUserInput(
      `${argument} must be an ODS code: 3 to 10 upper-case letters and digits, e.g. G81086.`,
      argument,
    );
  }
  return odsCode;
}

export function toOrganisationRecord(
  organization: OdsOrganization,
  context: { retrievedAt: string },
): OrganisationRecord {
  const roles = (organization.extension ?? [])
    .filter((extension) => extension.url === ORGANISATION_ROLE_URL)
    .map((extension) => toRole(extension, context.retrievedAt));
  const primary = primaryRoleCode(roles.map((role) => role.code));
  return {
    // The schema guarantees the code (fhir.ts); `id` is the same code on the live API.
    odsCode: odsCodeOf(organization.identifier) ?? organization.id,
    name: organization.name,
    // FHIR R4 Organization.active: "generally assumed to be active if no value is provided".
    active: organization.active ?? true,
    address: toAddress(organization.address?.[0]),
    roles: roles.map((role) => ({ ...role, primary: role.code === primary })),
    contact: (organization.telecom ?? []).flatMap(toContactPoint),
    lastChangeDate: lastChangeDate(organization.extension),
    provenance: { source: SERVICE, retrievedAt: context.retrievedAt, stale: false },
  };
}

const CodingsSchema = z.object({
  coding: z.array(
    z.object({ system: z.string().optional(), code: z.string(), display: z.string().optional() }),
  ),
});

function toRole(extension: FhirExtension, retrievedAt: string): OrganisationRole {
  const roleCode = extensionValue(part(extension, 'roleCode'), 'valueCodeableConcept', CodingsSchema);
  // fhir.ts refuses a role without a roleCode coding, so there is always a first one.
  const coding = roleCode?.coding[0] ?? { code: '' };
  const periods = typedPeriods(extension.extension);
  const active = extensionValue(part(extension, 'active'), 'valueBoolean', z.boolean());
  return {
    code: coding.code,
    display: coding.display ?? null,
    concept: toConcept(roleCode ?? {}),
    primary: false,
    // Extension-England-OrganisationRole.active is 1..1; without it, a legal end in the past says.
    active: active ?? !endedBy(periods.legal, retrievedAt),
    period: periods.legal,
    operationalPeriod: periods.operational,
  };
}

const PeriodTypeSchema = z.object({ code: z.string() });

/** Extension-England-TypedPeriod: a period with a dateType of Legal or Operational. */
function typedPeriods(extensions: readonly FhirExtension[] | undefined): {
  legal: Period | null;
  operational: Period | null;
} {
  const found: Record<string, Period | null> = {};
  for (const typed of (extensions ?? []).filter((extension) => extension.url === TYPED_PERIOD_URL)) {
    const dateType = extensionValue(part(typed, 'dateType'), 'valueCoding', PeriodTypeSchema)?.code;
    const period = extensionValue(part(typed, 'period'), 'valuePeriod', PeriodSchema);
    if (dateType !== undefined && period !== undefined) found[dateType] ??= toPeriod(period);
  }
  return { legal: found['Legal'] ?? null, operational: found['Operational'] ?? null };
}

const endedBy = (period: Period | null, at: string): boolean =>
  period?.end !== null && period?.end !== undefined && hasEnded({ end: period.end }, at);

const ISO_DATE = /^\d{4}-\d{2}-\d{2}/;

/** Extension-England-TypedDateTime of type LastChangeDate, as a date. */
function lastChangeDate(extensions: readonly FhirExtension[] | undefined): string | null {
  for (const typed of (extensions ?? []).filter((extension) => extension.url === TYPED_DATE_TIME_URL)) {
    const type = extensionValue(part(typed, 'type'), 'valueCoding', PeriodTypeSchema)?.code;
    const value = extensionValue(part(typed, 'dateTime'), 'valueDateTime', z.string());
    if (type === 'LastChangeDate' && value !== undefined && ISO_DATE.test(value)) return value.slice(0, 10);
  }
  return null;
}

function toAddress(address: OdsAddress | undefined): OrganisationAddress | null {
  if (address === undefined) return null;
  return {
    lines: address.line ?? [],
    city: address.city ?? null,
    district: address.district ?? null,
    postcode: address.postalCode ?? null,
    country: address.country ?? null,
  };
}

// A contact point without a system or value gives nothing to contact, so it has no canonical form.
function toContactPoint(telecom: OdsContactPoint): OrganisationContactPoint[] {
  if (telecom.system === undefined || telecom.value === undefined) return [];
  return [{ system: telecom.system.toUpperCase(), value: telecom.value }];
}

/**
 * An OrganizationAffiliation as a relationship of its `organization` (ODS "source") to its
 * `participatingOrganization` ("target"), e.g. G81086 RE4 IS COMMISSIONED BY 4VE03 (IG example 256248).
 */
export function toRelationship(
  affiliation: OdsOrganizationAffiliation,
  context: { retrievedAt: string },
): OrganisationRelationship {
  const concept = affiliation.code[0] ?? {};
  const coding = concept.coding?.find((c) => c.code !== undefined);
  const periods = typedPeriods(affiliation.extension);
  // IG data mapping: `period` "Use ExtensionEnglandTypedPeriod instead"; read it only as a fallback.
  const legal = periods.legal ?? toPeriod(affiliation.period);
  return {
    code: coding?.code ?? '',
    display: coding?.display ?? concept.text ?? null,
    concept: toConcept(concept),
    targetOdsCode: affiliation.participatingOrganization.identifier.value,
    active: affiliation.active ?? !endedBy(legal, context.retrievedAt),
    period: legal,
    operationalPeriod: periods.operational,
  };
}

// ---------------------------------------------------------------------------------------------
// Search criteria -> ODS query (ODT specification, GET /Organization parameters).

const LIMIT = { min: 1, max: 100 };
// `name`: 3–100 characters of A-Z a-z 0-9 &()’+-_./:@ and space (the ASCII apostrophe too, as in
// ST. JAMES'S). `address-postalcode`: at least 2 alphanumerics and spaces.
const NAME = /^[A-Za-z0-9&()’'+\-_./:@ ]{3,100}$/;
const POSTCODE = /^[A-Za-z0-9 ]{2,8}$/;
// ODSOrganisationRole codes: RO followed by digits (RO7, RO76, RO177, RO318).
const ROLE = /^RO[0-9]{1,4}$/;

export function toOdsSearchParams(criteria: OrganisationSearchCriteria): URLSearchParams {
  const name = criteria.name?.trim() || null;
  const postcode = criteria.postcode?.trim() || null;
  const role = criteria.role?.trim() || null;
  if (name === null && postcode === null && role === null) {
    throw badUserInput('Give at least one of name, postcode or role to search ODS.');
  }
  const params = new URLSearchParams();
  if (name !== null)
    params.append('name', checked(name, NAME, 'name', "3 to 100 letters, digits, spaces or &()’'+-_./:@"));
  if (postcode !== null)
    params.append(
      'address-postalcode',
      checked(postcode, POSTCODE, 'postcode', 'at least 2 letters or digits'),
    );
  if (role !== null) params.append('roleCode', checked(role, ROLE, 'role', 'an ODS role code such as RO76'));
  params.append('_count', String(limit(criteria.limit ?? 20)));
  return params;
}

function checked(value: string, pattern: RegExp, argument: string, rule: string): string {
  if (!pattern.test(value)) throw badUserInput(`${argument} must be ${rule}.`, argument);
  return value;
}

function limit(value: number): number {
  if (!Number.isInteger(value) || value < LIMIT.min || value > LIMIT.max) {
    throw badUserInput(`limit must be a whole number from ${LIMIT.min} to ${LIMIT.max}.`, 'limit');
  }
  return value;
}

// ---------------------------------------------------------------------------------------------
// ODS errors -> graph errors. Messages are ours: HAPI `diagnostics` never reach a client; the HAPI
// code goes in `extensions.upstreamCode`. Statuses and codes are the IG's Build/Error-handling table.

const { REJECTED, UNAVAILABLE, RATE_LIMITED, INVALID_RESPONSE } = commonUpstreamErrors('ODS');
const NOT_FOUND: UpstreamErrorRule = {
  code: ErrorCode.NOT_FOUND,
  message: 'ODS holds no organisation with this code.',
};
const TOO_MANY: UpstreamErrorRule = {
  code: ErrorCode.TOO_MANY_MATCHES,
  message: 'ODS found too many organisations to return; narrow the search.',
};

const BY_HAPI_CODE = new Map<string, UpstreamErrorRule>([
  // 404 "Organization not found" (IG example ODS-OperationOutcome-InvalidID).
  ['HAPI-2001', NOT_FOUND],
  // 400 "Unknown Search Parameter": nhs-graph builds every parameter, so the fault is ours.
  ['HAPI-0524', REJECTED],
  // 400 "Invalid Date/Time/Quantity format": values nhs-graph formatted.
  ['HAPI-1940', REJECTED],
  // 405 "Method Not Allowed".
  ['HAPI-0427', REJECTED],
]);

const HAPI_CODE = /^\s*(HAPI-\d{4})\b/;

/**
 * The graph error for an ODS answer that is not the data asked for. `outcome` is null when the
 * body was not an OperationOutcome; `retryAfterSeconds` comes from a `Retry-After` header.
 */
export function toUpstreamError(
  status: number,
  outcome: OdsOperationOutcome | null,
  retryAfterSeconds?: number,
): GraphQLError {
  const upstreamCode = outcome === null ? undefined : hapiCode(outcome);
  const rule = errorRule(status, outcome, upstreamCode);
  return upstreamRuleError(rule, { service: SERVICE, upstreamCode, retryAfterSeconds });
}

function errorRule(
  status: number,
  outcome: OdsOperationOutcome | null,
  upstreamCode: string | undefined,
): UpstreamErrorRule {
  // ODT specification, Rate limits: "an HTTP status of 429 (Too Many Requests)".
  if (status === 429) return RATE_LIMITED;
  if (status === 408 || status >= 500) return UNAVAILABLE;
  // API-key (application-restricted) failures are our credentials, not the caller's permissions.
  if (status === 401 || status === 403) return REJECTED;
  const known = upstreamCode === undefined ? undefined : BY_HAPI_CODE.get(upstreamCode);
  // A HAPI-2001 is only "not found" on a 404; a 404 without it may be a gateway answering a wrong
  // path, and telling a clinician "no such organisation" wrongly is unsafe.
  if (known !== undefined && (known !== NOT_FOUND || status === 404)) return known;
  // 422 (IG table): "too-costly" (too many records; also APIM's 10 MB response limit, ODT
  // specification) is the search being too broad; a "No declared filter" is a request we built.
  if (status === 422) return isTooCostly(outcome) ? TOO_MANY : REJECTED;
  if (status >= 400) return REJECTED;
  return INVALID_RESPONSE;
}

function hapiCode(outcome: OdsOperationOutcome): string | undefined {
  for (const issue of outcome.issue) {
    const fromDiagnostics = HAPI_CODE.exec(issue.diagnostics ?? '')?.[1];
    const fromDetails = issue.details?.coding?.find((c) => c.code?.startsWith('HAPI-'))?.code;
    const code = fromDetails ?? fromDiagnostics;
    if (code !== undefined) return code;
  }
  return undefined;
}

// The IG's TooCostly example has issue.code `processing` and diagnostics "The expansion of value
// set null was too big (>50000)"; its table says `too-costly`. Either marks it.
const TOO_COSTLY_TEXT = /too big|too many|too costly|exceeds/i;

function isTooCostly(outcome: OdsOperationOutcome | null): boolean {
  return (outcome?.issue ?? []).some(
    (issue) => issue.code === 'too-costly' || TOO_COSTLY_TEXT.test(issue.diagnostics ?? ''),
  );
}
