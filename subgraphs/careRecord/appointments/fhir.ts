// The GP Connect Appointment Management payloads nhs-graph accepts (FHIR STU3, 1.2.x): Slot search,
// Patient search, Appointment. Examples in sandbox/fixtures/gpconnect/gpconnect/_includes/appointments/.
// What the structured record shares with it (systems, extensions, references) is in ../fhir.ts.
import { z } from 'zod';
import { CodeableConceptSchema, ExtensionSchema, parseWith } from '../../../platform/fhir.js';
import { AnyResourceSchema, ReferenceSchema } from '../fhir.js';

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

export const parseSearchBundle = (json: unknown) => parseWith(SlotSearchBundleSchema, json);
export const parseAppointment = (json: unknown) => parseWith(AppointmentSchema, json);
