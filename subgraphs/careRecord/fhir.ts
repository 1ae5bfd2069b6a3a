// The GP Connect FHIR (STU3) that both of its APIs share: identifier systems, extension URLs, a
// reference, any resource, and the OperationOutcome either API answers an error with. Each API's
// own payloads are in record/fhir.ts (Access Record Structured 1.6.x) and appointments/fhir.ts
// (Appointment Management 1.2.x); examples copied into sandbox/fixtures/gpconnect/.
import { z } from 'zod';
import { OperationOutcomeSchema, parseWith, type ParseResult } from '../../platform/fhir.js';

export const NHS_NUMBER_SYSTEM = 'https://fhir.nhs.uk/Id/nhs-number';
export const ODS_ORGANISATION_SYSTEM = 'https://fhir.nhs.uk/Id/ods-organization-code';
export const SDS_USER_SYSTEM = 'https://fhir.nhs.uk/Id/sds-user-id';
export const SDS_ROLE_PROFILE_SYSTEM = 'https://fhir.nhs.uk/Id/sds-role-profile-id';

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

export const ReferenceSchema = z.object({
  reference: z.string().optional(),
  display: z.string().optional(),
});
export type GpcReference = z.infer<typeof ReferenceSchema>;

/** Anything in a Bundle or a List's `contained`; parsed by type only when a list names it. */
export const AnyResourceSchema = z.looseObject({ resourceType: z.string(), id: z.string().optional() });
export type GpcResource = z.infer<typeof AnyResourceSchema>;

/** GPConnect-OperationOutcome-1 (development_fhir_error_handling_guidance.md). */
export const GpcOperationOutcomeSchema = OperationOutcomeSchema;
export type GpcOperationOutcome = z.infer<typeof GpcOperationOutcomeSchema>;

export type { ParseResult };

export const parseOperationOutcome = (json: unknown) => parseWith(GpcOperationOutcomeSchema, json);

/** A resource of one type parsed with its schema; the issues name paths, never values. */
export const parseResource = <T>(schema: z.ZodType<T>, resource: unknown): ParseResult<T> =>
  parseWith(schema, resource);
