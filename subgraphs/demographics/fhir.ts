// The PDS FHIR R4 payloads nhs-graph accepts (specification/personal-demographics.yaml in
// NHSDigital/personal-demographics-service-api; real examples in sandbox/fixtures/pds/).
// Lenient to what we do not read (unknown properties are ignored, extensions are parsed where
// they are used); strict on what we do: a payload that fails here is never mapped.
import { z } from 'zod';
import {
  CodingSchema,
  ExtensionSchema,
  OperationOutcomeSchema,
  parseWith,
  PeriodSchema,
  type ParseResult,
} from '../../platform/fhir.js';

export const NHS_NUMBER_SYSTEM = 'https://fhir.nhs.uk/Id/nhs-number';
export const ODS_ORGANISATION_CODE_SYSTEM = 'https://fhir.nhs.uk/Id/ods-organization-code';
export const CONFIDENTIALITY_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality';
export const SPINE_ERROR_OR_WARNING_CODE_SYSTEM =
  'https://fhir.nhs.uk/R4/CodeSystem/Spine-ErrorOrWarningCode';
export const DEATH_NOTIFICATION_STATUS_URL =
  'https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-DeathNotificationStatus';

// Ten digits, as PDS's NhsNumber.yaml says, but no Modulus 11 check: an upstream's numbers are
// never dropped, and the PDS sandbox's own 9000000015 (PatientCompoundName.json) fails it.
const PdsNhsNumberSchema = z.string().regex(/^\d{10}$/, 'an NHS number is ten digits');

// FHIR `date`: a year, year-month or full date.
const FhirDateSchema = z.string().regex(/^\d{4}(-\d{2}(-\d{2})?)?$/, 'a FHIR date');

const HumanNameSchema = z.object({
  use: z.string().optional(),
  text: z.string().optional(),
  prefix: z.array(z.string()).optional(),
  given: z.array(z.string()).optional(),
  family: z.string().optional(),
  suffix: z.array(z.string()).optional(),
  period: PeriodSchema.optional(),
});

const AddressSchema = z.object({
  /** PDS's id for the address: a PATCH must name it to change that address (patient-patch.yaml). */
  id: z.string().optional(),
  use: z.string().optional(),
  text: z.string().optional(),
  line: z.array(z.string()).optional(),
  postalCode: z.string().optional(),
  period: PeriodSchema.optional(),
});

const ContactPointSchema = z.object({
  system: z.string().optional(),
  value: z.string().optional(),
  use: z.string().optional(),
  period: PeriodSchema.optional(),
});

// GeneralPractitionerReference.yaml: a logical reference by ODS code, not a literal reference.
const OrganisationReferenceSchema = z.object({
  type: z.string().optional(),
  identifier: z
    .object({ system: z.string().optional(), value: z.string().optional(), period: PeriodSchema.optional() })
    .optional(),
});

const MetaSchema = z.object({
  versionId: z.string().optional(),
  // Meta.yaml: one label, U (unrestricted), R (restricted) or V (very restricted).
  security: z.array(CodingSchema).optional(),
});

export const PdsPatientSchema = z.object({
  resourceType: z.literal('Patient'),
  id: PdsNhsNumberSchema,
  meta: MetaSchema.optional(),
  extension: z.array(ExtensionSchema).optional(),
  name: z.array(HumanNameSchema).optional(),
  gender: z.enum(['male', 'female', 'other', 'unknown']).optional(),
  birthDate: FhirDateSchema.optional(),
  deceasedDateTime: z.string().optional(),
  // Not sent by PDS (DeceasedDateTime.yaml), but valid R4; read so a `true` is never lost.
  deceasedBoolean: z.boolean().optional(),
  address: z.array(AddressSchema).optional(),
  telecom: z.array(ContactPointSchema).optional(),
  generalPractitioner: z.array(OrganisationReferenceSchema).optional(),
});
export type PdsPatient = z.infer<typeof PdsPatientSchema>;
export type PdsHumanName = z.infer<typeof HumanNameSchema>;
export type PdsAddress = z.infer<typeof AddressSchema>;
export type PdsContactPoint = z.infer<typeof ContactPointSchema>;

// PatientSearch.yaml: every entry is a Patient with a score from 0 to 1; `entry` is absent when
// nothing matched.
const PdsSearchEntrySchema = z.object({
  fullUrl: z.string().optional(),
  search: z.object({ score: z.number().min(0).max(1) }),
  resource: PdsPatientSchema,
});

export const PdsSearchBundleSchema = z.object({
  resourceType: z.literal('Bundle'),
  type: z.literal('searchset'),
  total: z.number().int().nonnegative().optional(),
  entry: z.array(PdsSearchEntrySchema).optional(),
});
export type PdsSearchBundle = z.infer<typeof PdsSearchBundleSchema>;
export type PdsSearchEntry = z.infer<typeof PdsSearchEntrySchema>;

// PDS errors put the Spine code in issue.details.coding (system Spine-ErrorOrWarningCode). The
// shape is plain FHIR, so the shared schema serves; the alias names what this subgraph accepts.
export const PdsOperationOutcomeSchema = OperationOutcomeSchema;
export type PdsOperationOutcome = z.infer<typeof PdsOperationOutcomeSchema>;

export type { ParseResult };

export const parsePdsPatient = (json: unknown): ParseResult<PdsPatient> => parseWith(PdsPatientSchema, json);

export const parsePdsSearchBundle = (json: unknown): ParseResult<PdsSearchBundle> =>
  parseWith(PdsSearchBundleSchema, json);

export const parsePdsOperationOutcome = (json: unknown): ParseResult<PdsOperationOutcome> =>
  parseWith(PdsOperationOutcomeSchema, json);
