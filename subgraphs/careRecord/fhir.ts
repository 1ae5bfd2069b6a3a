// The GP Connect payloads nhs-graph accepts (FHIR STU3; nhsconnect/gpconnect 1.6.x Access Record
// Structured and 1.2.x Appointment Management, examples copied into sandbox/fixtures/gpconnect/).
// Lenient to what we do not read (unknown elements and extensions, resources of other clinical
// areas); strict on what we do: a clinical resource that a list names but that fails here makes
// its whole section unreadable rather than silently shorter (mapping.ts).
import { z } from 'zod';
import {
  CodeableConceptSchema,
  ExtensionSchema,
  OperationOutcomeSchema,
  parseWith,
  PeriodSchema,
  type ParseResult,
} from '../../platform/fhir.js';

export const NHS_NUMBER_SYSTEM = 'https://fhir.nhs.uk/Id/nhs-number';
export const ODS_ORGANISATION_SYSTEM = 'https://fhir.nhs.uk/Id/ods-organization-code';
export const SDS_USER_SYSTEM = 'https://fhir.nhs.uk/Id/sds-user-id';
export const SDS_ROLE_PROFILE_SYSTEM = 'https://fhir.nhs.uk/Id/sds-role-profile-id';
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

const STU3 = 'https://fhir.nhs.uk/STU3/StructureDefinition/';
export const EXT = {
  listWarning: `${STU3}Extension-CareConnect-GPC-ListWarningCode-1`,
  allergyEnd: `${STU3}Extension-CareConnect-GPC-AllergyIntoleranceEnd-1`,
  lastIssueDate: `${STU3}Extension-CareConnect-GPC-MedicationStatementLastIssueDate-1`,
  // meds_response.json also sends the HL7 UK name of the same extension.
  lastIssueDateHl7:
    'https://fhir.hl7.org.uk/STU3/StructureDefinition/Extension-CareConnect-MedicationStatementLastIssueDate-1',
  prescribingAgency: `${STU3}Extension-CareConnect-GPC-PrescribingAgency-1`,
  prescriptionType: `${STU3}Extension-CareConnect-GPC-PrescriptionType-1`,
  repeatInformation: `${STU3}Extension-CareConnect-GPC-MedicationRepeatInformation-1`,
  quantityText: `${STU3}Extension-CareConnect-GPC-MedicationQuantityText-1`,
  problemSignificance:
    'https://fhir.hl7.org.uk/STU3/StructureDefinition/Extension-CareConnect-ProblemSignificance-1',
  vaccinationProcedure:
    'https://fhir.hl7.org.uk/STU3/StructureDefinition/Extension-CareConnect-VaccinationProcedure-1',
  dateRecorded: `${STU3}Extension-CareConnect-GPC-DateRecorded-1`,
  parentPresent: `${STU3}Extension-CareConnect-GPC-ParentPresent-1`,
  bookingOrganisation: `${STU3}Extension-GPConnect-BookingOrganisation-1`,
  cancellationReason: `${STU3}Extension-GPConnect-AppointmentCancellationReason-1`,
  deliveryChannel: `${STU3}Extension-GPConnect-DeliveryChannel-2`,
  practitionerRole: `${STU3}Extension-GPConnect-PractitionerRole-1`,
} as const;

const ReferenceSchema = z.object({
  reference: z.string().optional(),
  display: z.string().optional(),
});
export type GpcReference = z.infer<typeof ReferenceSchema>;

const AnnotationSchema = z.object({ text: z.string().optional() });
// Published examples send `value` as "28" and `code` as ["d"]: read loosely, shown as text.
const LooseQuantitySchema = z.looseObject({
  value: z.union([z.number(), z.string()]).optional(),
  unit: z.string().optional(),
  extension: z.array(ExtensionSchema).optional(),
});

// ---------------------------------------------------------------------------------------------
// The structured record: a `collection` Bundle of Lists and the resources they reference.

/** Anything in a Bundle or a List's `contained`; parsed by type only when a list names it. */
export const AnyResourceSchema = z.looseObject({ resourceType: z.string(), id: z.string().optional() });
export type GpcResource = z.infer<typeof AnyResourceSchema>;

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

// ---------------------------------------------------------------------------------------------
// Appointment Management (1.2.x): Slot search, Patient search, Appointment.

export const SlotSchema = z.object({
  resourceType: z.literal('Slot'),
  id: z.string(),
  extension: z.array(ExtensionSchema).optional(),
  serviceType: z.array(CodeableConceptSchema).optional(),
  schedule: ReferenceSchema,
  status: z.string(),
  start: z.string(),
  end: z.string(),
});
export type GpcSlot = z.infer<typeof SlotSchema>;

export const ScheduleSchema = z.object({
  resourceType: z.literal('Schedule'),
  id: z.string(),
  serviceCategory: CodeableConceptSchema.optional(),
  actor: z.array(ReferenceSchema).optional(),
});
export type GpcSchedule = z.infer<typeof ScheduleSchema>;

const HumanNameSchema = z.object({
  text: z.string().optional(),
  family: z.string().optional(),
  given: z.array(z.string()).optional(),
  prefix: z.array(z.string()).optional(),
});

export const SlotSearchBundleSchema = z.object({
  resourceType: z.literal('Bundle'),
  type: z.literal('searchset'),
  entry: z.array(z.object({ resource: AnyResourceSchema })).optional(),
});
export type GpcSearchBundle = z.infer<typeof SlotSearchBundleSchema>;

export const PractitionerSchema = z.object({
  resourceType: z.literal('Practitioner'),
  id: z.string(),
  name: z.array(HumanNameSchema).optional(),
});
export const LocationSchema = z.object({
  resourceType: z.literal('Location'),
  id: z.string(),
  name: z.string().optional(),
});
export const OrganizationSchema = z.object({
  resourceType: z.literal('Organization'),
  id: z.string().optional(),
  identifier: z.array(z.object({ system: z.string().optional(), value: z.string().optional() })).optional(),
  name: z.string().optional(),
});

export const PatientSchema = z.object({
  resourceType: z.literal('Patient'),
  id: z.string(),
  identifier: z.array(z.object({ system: z.string().optional(), value: z.string().optional() })).optional(),
});

export const AppointmentSchema = z.object({
  resourceType: z.literal('Appointment'),
  id: z.string(),
  meta: z.looseObject({ versionId: z.string().optional() }).optional(),
  extension: z.array(ExtensionSchema).optional(),
  contained: z.array(AnyResourceSchema).optional(),
  status: z.string(),
  serviceType: z.array(CodeableConceptSchema).optional(),
  description: z.string().optional(),
  start: z.string().optional(),
  end: z.string().optional(),
  created: z.string().optional(),
  comment: z.string().optional(),
  slot: z.array(ReferenceSchema).optional(),
  participant: z.array(z.object({ actor: ReferenceSchema.optional(), status: z.string().optional() })),
});
export type GpcAppointment = z.infer<typeof AppointmentSchema>;

/** GPConnect-OperationOutcome-1 (development_fhir_error_handling_guidance.md). */
export const GpcOperationOutcomeSchema = OperationOutcomeSchema;
export type GpcOperationOutcome = z.infer<typeof GpcOperationOutcomeSchema>;

export type { ParseResult };

export const parseStructuredBundle = (json: unknown) => parseWith(StructuredBundleSchema, json);
export const parseSearchBundle = (json: unknown) => parseWith(SlotSearchBundleSchema, json);
export const parseAppointment = (json: unknown) => parseWith(AppointmentSchema, json);
export const parseOperationOutcome = (json: unknown) => parseWith(GpcOperationOutcomeSchema, json);

/** A resource of one type parsed with its schema; the issues name paths, never values. */
export const parseResource = <T>(schema: z.ZodType<T>, resource: unknown): ParseResult<T> =>
  parseWith(schema, resource);
