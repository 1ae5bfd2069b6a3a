// The GP Connect payloads nhs-graph accepts (FHIR STU3; nhsconnect/gpconnect 1.6.x Access Record
// Structured, examples copied into sandbox/fixtures/gpconnect/).
// Lenient to what we do not read (unknown elements and extensions, resources of other clinical
// areas); strict on what we do: a clinical resource that a list names but that fails here makes
// its whole section unreadable rather than silently shorter (mapping.ts).
// What Appointment Management shares with it (systems, extensions, references) is in ../fhir.ts.
import { z } from 'zod';
import { CodeableConceptSchema, ExtensionSchema, parseWith, PeriodSchema } from '../../../platform/fhir.js';
import { AnyResourceSchema, ReferenceSchema } from '../fhir.js';

/** dm+d as UK Core names it (UKC ValueSet-UKCore-MedicationCode); GP Connect sends the same ids under SNOMED. */
export const DMD_SYSTEM = 'https://dmd.nhs.uk';

/** Primary list codes (accessrecord_structured_development_lists_for_message_structure, "Primary lists"). */
export const LIST_CODE = {
  allergies: '886921000000105',
  endedAllergies: '1103671000000101',
  medications: '933361000000108',
  problems: '717711000000103',
  immunisations: '1102181000000102',
} as const;

const AnnotationSchema = z.object({ text: z.string().optional() });
// Published examples send `value` as "28" and `code` as ["d"]: read loosely, shown as text.
const LooseQuantitySchema = z.looseObject({
  value: z.union([z.number(), z.string()]).optional(),
  unit: z.string().optional(),
  extension: z.array(ExtensionSchema).optional(),
});

// ---------------------------------------------------------------------------------------------
// The structured record: a `collection` Bundle of Lists and the resources they reference.

export const StructuredBundleSchema = z.object({
  resourceType: z.literal('Bundle'),
  type: z.literal('collection'),
  // An entry without a resource (diaryentries_response1.json has two) is skipped; if a list
  // names what it should have held, that entry is counted as unresolved.
  entry: z.array(z.looseObject({ resource: AnyResourceSchema.optional() })).optional(),
});
export type GpcStructuredBundle = z.infer<typeof StructuredBundleSchema>;

export const ListSchema = z.object({
  resourceType: z.literal('List'),
  id: z.string().optional(),
  extension: z.array(ExtensionSchema).optional(),
  contained: z.array(AnyResourceSchema).optional(),
  title: z.string().optional(),
  code: CodeableConceptSchema.optional(),
  note: z.array(AnnotationSchema).optional(),
  entry: z.array(z.object({ item: ReferenceSchema })).optional(),
  emptyReason: CodeableConceptSchema.optional(),
});
export type GpcList = z.infer<typeof ListSchema>;

export const AllergyIntoleranceSchema = z.object({
  resourceType: z.literal('AllergyIntolerance'),
  id: z.string(),
  extension: z.array(ExtensionSchema).optional(),
  clinicalStatus: z.string().optional(),
  verificationStatus: z.string().optional(),
  type: z.string().optional(),
  category: z.array(z.string()).optional(),
  criticality: z.string().optional(),
  code: CodeableConceptSchema,
  onsetDateTime: z.string().optional(),
  assertedDate: z.string().optional(),
  lastOccurrence: z.string().optional(),
  note: z.array(AnnotationSchema).optional(),
  reaction: z
    .array(
      z.object({
        manifestation: z.array(CodeableConceptSchema).optional(),
        description: z.string().optional(),
        severity: z.string().optional(),
      }),
    )
    .optional(),
});
export type GpcAllergyIntolerance = z.infer<typeof AllergyIntoleranceSchema>;

const DosageSchema = z.object({ text: z.string().optional(), patientInstruction: z.string().optional() });

export const MedicationStatementSchema = z.object({
  resourceType: z.literal('MedicationStatement'),
  id: z.string(),
  extension: z.array(ExtensionSchema).optional(),
  basedOn: z.array(ReferenceSchema).optional(),
  status: z.string().optional(),
  medicationReference: ReferenceSchema,
  effectiveDateTime: z.string().optional(),
  effectivePeriod: PeriodSchema.optional(),
  dateAsserted: z.string().optional(),
  note: z.array(AnnotationSchema).optional(),
  dosage: z.array(DosageSchema).optional(),
});
export type GpcMedicationStatement = z.infer<typeof MedicationStatementSchema>;

export const MedicationRequestSchema = z.object({
  resourceType: z.literal('MedicationRequest'),
  id: z.string(),
  extension: z.array(ExtensionSchema).optional(),
  basedOn: z.array(ReferenceSchema).optional(),
  status: z.string().optional(),
  intent: z.string(),
  medicationReference: ReferenceSchema.optional(),
  authoredOn: z.string().optional(),
  note: z.array(AnnotationSchema).optional(),
  dosageInstruction: z.array(DosageSchema).optional(),
  dispenseRequest: z
    .looseObject({
      validityPeriod: PeriodSchema.optional(),
      quantity: LooseQuantitySchema.optional(),
      expectedSupplyDuration: LooseQuantitySchema.optional(),
    })
    .optional(),
});
export type GpcMedicationRequest = z.infer<typeof MedicationRequestSchema>;

export const MedicationSchema = z.object({
  resourceType: z.literal('Medication'),
  id: z.string(),
  code: CodeableConceptSchema,
});
export type GpcMedication = z.infer<typeof MedicationSchema>;

export const ConditionSchema = z.object({
  resourceType: z.literal('Condition'),
  id: z.string(),
  extension: z.array(ExtensionSchema).optional(),
  clinicalStatus: z.string().optional(),
  code: CodeableConceptSchema,
  onsetDateTime: z.string().optional(),
  abatementDateTime: z.string().optional(),
  assertedDate: z.string().optional(),
  note: z.array(AnnotationSchema).optional(),
});
export type GpcCondition = z.infer<typeof ConditionSchema>;

export const ImmunizationSchema = z.object({
  resourceType: z.literal('Immunization'),
  id: z.string(),
  extension: z.array(ExtensionSchema).optional(),
  status: z.string().optional(),
  notGiven: z.boolean().optional(),
  vaccineCode: CodeableConceptSchema,
  date: z.string().optional(),
  primarySource: z.boolean().optional(),
  lotNumber: z.string().optional(),
  expirationDate: z.string().optional(),
  site: CodeableConceptSchema.optional(),
  route: CodeableConceptSchema.optional(),
  doseQuantity: LooseQuantitySchema.optional(),
  note: z.array(AnnotationSchema).optional(),
  explanation: z
    .object({
      reason: z.array(CodeableConceptSchema).optional(),
      notGivenReason: z.array(CodeableConceptSchema).optional(),
    })
    .optional(),
  vaccinationProtocol: z
    .array(
      z.object({
        doseSequence: z.number().int().optional(),
        seriesDoses: z.number().int().optional(),
        targetDisease: z.array(CodeableConceptSchema).optional(),
      }),
    )
    .optional(),
});
export type GpcImmunization = z.infer<typeof ImmunizationSchema>;

export const parseStructuredBundle = (json: unknown) => parseWith(StructuredBundleSchema, json);
