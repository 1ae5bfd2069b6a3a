// The documented shape of every value that becomes part of an upstream URL or header, in one
// place. Subgraphs check each such value where it enters — an argument, an `_entities`
// representation, a claim of the Principal, an id inside an input — before any upstream call, so
// `../Patient/9000000017`, `9000000009?_summary=count` or an ODS code `..` never reach a
// national service. URLs are then built from the checked parts by `upstreamPath` (platform/http.ts).
//
// Refusals, by where the value came from:
// - an argument or input field: BAD_USER_INPUT with `extensions.argument`;
// - a representation (`__resolveReference`): NOT_FOUND — the key came from another service's
//   record, and no entity can have a key of the wrong shape;
// - a claim of the Principal: UNAUTHENTICATED — the identity itself is malformed.
import type { GraphQLError } from 'graphql';
import { badUserInput, ErrorCode, graphError, notFound } from './errors.js';
import { TEN_DIGITS } from './nhs-number.js';
import { SCTID_SHAPE } from './snomed.js';

/** A pattern per value type, with the rule as a client would read it. */
export const UpstreamKey = {
  /**
   * Ten digits. Deliberately not the Modulus 11 check: numbers that come from an upstream and
   * fail it are still served (PDS's own sandbox serves 9000000015); arguments get the full check
   * from the NhsNumber scalar (platform/scalars.ts).
   */
  nhsNumber: { pattern: TEN_DIGITS, rule: 'an NHS number: 10 digits' },
  /** ODS code (ODS ODT specification): upper-case letters and digits. */
  odsCode: { pattern: /^[0-9A-Z]{3,10}$/, rule: 'an ODS code: 3 to 10 upper-case letters and digits' },
  /** e-RS Unique Booking Reference Number. */
  ubrn: { pattern: /^\d{12}$/, rule: 'a UBRN: 12 digits' },
  /** SNOMED CT identifier (dm+d codes are concept ids): 6 to 18 digits, no leading zero. */
  sctid: { pattern: SCTID_SHAPE, rule: 'a SNOMED CT id: 6 to 18 digits not starting with 0' },
  /** e-RS HealthcareService id. */
  ersServiceId: { pattern: /^\d{1,12}$/, rule: 'an e-RS service id: 1 to 12 digits' },
  /**
   * FHIR logical id (FHIR R4/STU3 `id`: [A-Za-z0-9\-\.]{1,64}); GP Connect appointment, slot,
   * location and patient ids. "." and ".." are refused: as a path segment they are dot segments.
   */
  fhirId: {
    pattern: /^(?!\.{1,2}$)[A-Za-z0-9\-.]{1,64}$/,
    rule: 'a FHIR id: 1 to 64 letters, digits, "-" or "." (not "." or "..")',
  },
  /** CIS2 `person_roleid` (SDS role profile id, e.g. 555254240100). */
  roleId: { pattern: /^[0-9A-Za-z]{1,32}$/, rule: 'a CIS2 role id: 1 to 32 letters or digits' },
} as const;

export type UpstreamKeyType = keyof typeof UpstreamKey;

export function isUpstreamKey(type: UpstreamKeyType, value: unknown): value is string {
  return typeof value === 'string' && UpstreamKey[type].pattern.test(value);
}

/** The argument (or input field path) checked; BAD_USER_INPUT naming it when it is not of `type`. */
export function checkArgument(type: UpstreamKeyType, value: string, argument: string): string {
  if (!isUpstreamKey(type, value))
    throw badUserInput(`${argument} must be ${UpstreamKey[type].rule}.`, argument);
  return value;
}

/** A representation's key checked; NOT_FOUND when no entity could have it. */
export function checkReference(type: UpstreamKeyType, value: unknown, typeName: string): string {
  if (!isUpstreamKey(type, value)) throw notFound(`No ${typeName} has this key.`);
  return value;
}

/**
 * As `checkReference`, as a promise. `__resolveReference` must refuse a key by rejecting: a
 * synchronous throw fails the whole `_entities` field, a rejection only the entity it is for.
 */
export function referenceKey(type: UpstreamKeyType, value: unknown, typeName: string): Promise<string> {
  return Promise.resolve(value).then((key) => checkReference(type, key, typeName));
}

/** A claim of the Principal checked before it is sent upstream; UNAUTHENTICATED when malformed. */
export function checkClaim(type: UpstreamKeyType, value: string): string {
  if (!isUpstreamKey(type, value)) throw malformedClaim();
  return value;
}

export const malformedClaim = (): GraphQLError =>
  graphError(ErrorCode.UNAUTHENTICATED, 'The caller’s identity carries a malformed claim.');

/** The claims a source sends upstream (ODS codes, role ids, the citizen's NHS number), checked. */
export function checkPrincipalClaims(principal: {
  nhsNumber: string | null;
  roleId: string | null;
  orgCode: string | null;
}): void {
  if (principal.nhsNumber !== null) checkClaim('nhsNumber', principal.nhsNumber);
  if (principal.roleId !== null) checkClaim('roleId', principal.roleId);
  if (principal.orgCode !== null) checkClaim('odsCode', principal.orgCode);
}
