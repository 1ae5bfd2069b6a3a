// The ODS FHIR R4 payloads nhs-graph accepts (Organisation Data Terminology API,
// NHSDigital/organisation-data-terminology-api specification/organisation-data-terminology-api.yaml;
// profiles and examples in the ODS implementation guide, copied in sandbox/fixtures/ods/).
// Lenient to what we do not read; strict on what we do: a payload that fails here is never mapped.
import { z } from 'zod';
import {
  CodeableConceptSchema,
  ExtensionSchema,
  OperationOutcomeSchema,
  PeriodSchema,
  type FhirExtension,
  parseWith,
  type ParseResult,
  SearchsetBundleSchema,
} from '../../platform/fhir.js';
import { UpstreamKey } from '../../platform/upstream-keys.js';

export const ODS_ORGANISATION_CODE_SYSTEM = 'https://fhir.nhs.uk/Id/ods-organization-code';
export const ODS_ROLE_SYSTEM =
  'https://digital.nhs.uk/services/organisation-data-service/CodeSystem/ODSOrganisationRole';
export const ODS_RELATIONSHIP_SYSTEM =
  'https://digital.nhs.uk/services/organisation-data-service/CodeSystem/ODSRelationship';
export const ORGANISATION_ROLE_URL =
  'https://fhir.nhs.uk/England/StructureDefinition/Extension-England-OrganisationRole';
export const TYPED_PERIOD_URL =
  'https://fhir.nhs.uk/England/StructureDefinition/Extension-England-TypedPeriod';
export const TYPED_DATE_TIME_URL =
  'https://fhir.nhs.uk/England/StructureDefinition/Extension-England-TypedDateTime';

/**
 * An ODS organisation code: upper-case letters and digits, 3 to 10 of them. PDS's specification
 * gives the shape of an ODS code wherever it carries one: `^[0-9A-Z]+$` for the registered GP
 * (components/schemas/GeneralPractitionerReference.yaml) and `^[A-Za-z0-9]{3,10}$` for nominated
 * pharmacy, dispensing doctor and appliance supplier (components/schemas/extensions/*.yaml). ODS's
 * own specification gives none; its published codes are 3 (RR8, Q72) to 6 (G81086) characters.
 */
export const ODS_CODE_PATTERN = UpstreamKey.odsCode.pattern;

const IdentifierSchema = z.object({
  system: z.string().optional(),
  value: z.string().optional(),
});

const AddressSchema = z.object({
  line: z.array(z.string()).optional(),
  city: z.string().optional(),
  district: z.string().optional(),
  postalCode: z.string().optional(),
  country: z.string().optional(),
});

const ContactPointSchema = z.object({
  system: z.string().optional(),
  value: z.string().optional(),
});

const ReferenceSchema = z.object({
  reference: z.string().optional(),
  identifier: IdentifierSchema.optional(),
});

/** The ODS code in an Organization's `odsOrganisationCode` identifier slice (UKCore-Organization). */
export const odsCodeOf = (identifiers: ReadonlyArray<z.infer<typeof IdentifierSchema>> | undefined) =>
  identifiers?.find((identifier) => identifier.system === ODS_ORGANISATION_CODE_SYSTEM)?.value;

/** The sub-extension with this url (`roleCode`, `active`, `period`, …) of a complex extension. */
export const part = (extension: FhirExtension | undefined, url: string): FhirExtension | undefined =>
  extension?.extension?.find((inner) => inner.url === url);

const RoleCodeSchema = z.object({
  coding: z.array(z.object({ code: z.string() }).loose()).min(1),
});

export const OdsOrganizationSchema = z
  .object({
    resourceType: z.literal('Organization'),
    id: z.string(),
    extension: z.array(ExtensionSchema).optional(),
    identifier: z.array(IdentifierSchema).optional(),
    // FHIR R4 Organization.active: "generally assumed to be active if no value is provided".
    active: z.boolean().optional(),
    // ODS data mapping (IG Design/Data-mapping): "The name of the organisation SHALL be populated."
    name: z.string(),
    telecom: z.array(ContactPointSchema).optional(),
    address: z.array(AddressSchema).optional(),
  })
  .superRefine((organization, context) => {
    // The ODS code is the organisation's identity here; without it the record answers nothing.
    if (odsCodeOf(organization.identifier) === undefined) {
      context.addIssue({ code: 'custom', path: ['identifier'], message: 'no ODS organisation code' });
    }
    // Extension-England-OrganisationRole: roleCode is 1..1 (IG Design/Data-mapping).
    (organization.extension ?? []).forEach((extension, index) => {
      if (extension.url !== ORGANISATION_ROLE_URL) return;
      const roleCode = RoleCodeSchema.safeParse(part(extension, 'roleCode')?.['valueCodeableConcept']);
      if (!roleCode.success) {
        context.addIssue({ code: 'custom', path: ['extension', index], message: 'role without a roleCode' });
      }
    });
  });
export type OdsOrganization = z.infer<typeof OdsOrganizationSchema>;
export type OdsAddress = z.infer<typeof AddressSchema>;
export type OdsContactPoint = z.infer<typeof ContactPointSchema>;

export const OdsOrganizationAffiliationSchema = z.object({
  resourceType: z.literal('OrganizationAffiliation'),
  id: z.string(),
  extension: z.array(ExtensionSchema).optional(),
  active: z.boolean().optional(),
  period: PeriodSchema.optional(),
  // IG data mapping: organization and participatingOrganization 1..1, code 1..1 (ODSRelationship).
  organization: ReferenceSchema,
  participatingOrganization: ReferenceSchema.extend({
    identifier: IdentifierSchema.extend({ value: z.string() }),
  }),
  code: z.array(CodeableConceptSchema).min(1),
});
export type OdsOrganizationAffiliation = z.infer<typeof OdsOrganizationAffiliationSchema>;

// Searchset Bundles (IG ODS-Bundle-*-Example.xml; ODT specification search examples) are read with
// platform/fhir.ts SearchsetBundleSchema; `parseOdsSearchBundle` checks each entry by type.
export interface OdsSearchBundle<T> {
  total: number | null;
  /** Entries with search mode `match` (or none), in the order ODS sent them. */
  matches: T[];
  /** Entries ODS added with `_include`. */
  included: unknown[];
}

// HAPI's errors (IG Build/Error-handling): issue.code `processing` and the HAPI code at the start
// of `diagnostics` (e.g. "HAPI-2001: Resource Organization/X is not known").
export const OdsOperationOutcomeSchema = OperationOutcomeSchema;
export type OdsOperationOutcome = z.infer<typeof OdsOperationOutcomeSchema>;

export type { ParseResult };

export const parseOdsOrganization = (json: unknown): ParseResult<OdsOrganization> =>
  parseWith(OdsOrganizationSchema, json);

export const parseOdsOperationOutcome = (json: unknown): ParseResult<OdsOperationOutcome> =>
  parseWith(OdsOperationOutcomeSchema, json);

/** A searchset whose `match` entries are all `resourceType` and valid for `schema`. */
export function parseOdsSearchBundle<T>(
  json: unknown,
  resourceType: string,
  schema: z.ZodType<T>,
): ParseResult<OdsSearchBundle<T>> {
  const bundle = parseWith(SearchsetBundleSchema, json);
  if (!bundle.success) return bundle;
  const matches: T[] = [];
  const included: unknown[] = [];
  for (const [index, entry] of (bundle.data.entry ?? []).entries()) {
    const mode = entry.search?.mode ?? 'match';
    if (mode === 'include') {
      included.push(entry.resource);
      continue;
    }
    // HAPI may add an OperationOutcome entry (mode `outcome`) with warnings; it is not a match.
    if (mode !== 'match') continue;
    if (entry.resource.resourceType !== resourceType) {
      return { success: false, issues: [`entry.${index}.resource.resourceType: unexpected`] };
    }
    const parsed = parseWith(schema, entry.resource);
    if (!parsed.success) return { success: false, issues: parsed.issues.map((i) => `entry.${index}.${i}`) };
    matches.push(parsed.data);
  }
  return { success: true, data: { total: bundle.data.total ?? null, matches, included } };
}
