// Which of an organisation's roles is its primary role. ODS's Organization resource does not say:
// "To discover whether a role is primary or non-primary, refer to the ODSOrganisationRole
// CodeSystem" (ODT specification, roleCode parameter), whose `primaryRole` property holds it. Until
// that code system is loaded into the `reference` cache tier, the roles below are those whose
// property value the published ODS material states; everything else is decided by elimination.

/** Primary roles, each with where ODS says so. */
const PRIMARY_ROLE_CODES = new Set([
  // CodeSystem $lookup of G81086 (ODT specification): primaryRole RO177 PRESCRIBING COST CENTRE.
  'RO177',
  // ODT specification, /Organization: "organisation's primary role using RoleID, such as RO197
  // (NHS Trust) or RO167 (Optical Site)".
  'RO197',
  'RO167',
  // ValueSet $expand example (ODT specification): primaryRole values RO104 and RO172.
  'RO104',
  'RO172',
]);

/** Non-primary roles, each with where ODS says so. */
const NON_PRIMARY_ROLE_CODES = new Set([
  // G81086 holds RO76 GP PRACTICE beside its primary role RO177.
  'RO76',
  // ODT specification: "non-primary role using RoleID, such as RO7 (Hospice) or RO318 (Integrated
  // Care Board)".
  'RO7',
  'RO318',
]);

/**
 * The primary role code among an organisation's role codes, or null when it cannot be told.
 * ODT specification: "Every organisation has at least one role; a primary role", so when all but
 * one distinct code are known not to be primary, that one is.
 */
export function primaryRoleCode(roleCodes: readonly string[]): string | null {
  const distinct = [...new Set(roleCodes)];
  const primary = distinct.filter((code) => PRIMARY_ROLE_CODES.has(code));
  if (primary.length === 1) return primary[0] ?? null;
  if (primary.length > 1) return null; // two "primary" roles: not ODS's model, so claim neither
  const candidates = distinct.filter((code) => !NON_PRIMARY_ROLE_CODES.has(code));
  return candidates.length === 1 ? (candidates[0] ?? null) : null;
}
