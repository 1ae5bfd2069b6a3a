// GP Connect Appointment Management (FHIR STU3, 1.2.x) <-> canonical appointments. Pure functions,
// like ../record/mapping.ts (the structured record): what a slot search, a patient search and an Appointment
// become, and the Appointment resources a booking and a cancellation send. Examples in
// sandbox/fixtures/gpconnect/gpconnect/_includes/appointments/; rules from the provider acceptance
// tests (gpconnect-provider-testing AppointmentBook.feature): a booking names its slot, start and
// end, the Patient and a Location participant, a description, and a booking organisation with a
// name and telecom.
import { z } from 'zod';
import type { Concept, Provenance } from '../../../platform/canonical.js';
import { badUserInput } from '../../../platform/errors.js';
import { CodeableConceptSchema, extensionValue, findExtension } from '../../../platform/fhir.js';
import { isPrintableText } from '../../../platform/free-text.js';
import { checkArgument, UpstreamKey } from '../../../platform/upstream-keys.js';
import { EXT, NHS_NUMBER_SYSTEM, ODS_ORGANISATION_SYSTEM, parseResource } from '../fhir.js';
import {
  AppointmentSchema,
  LocationSchema,
  OrganizationSchema,
  PatientSchema,
  PractitionerSchema,
  ScheduleSchema,
  SlotSchema,
  type GpcAppointment,
  type GpcSearchBundle,
} from './fhir.js';
import { gpcConcept, SERVICE } from '../record/mapping.js';
import type {
  Appointment,
  BookAppointmentRequest,
  CancelAppointmentRequest,
  FreeSlot,
  SlotReference,
} from '../model.js';

const provenanceAt = (retrievedAt: string): Provenance => ({ source: SERVICE, retrievedAt, stale: false });

// ---------------------------------------------------------------------------------------------
// Slot ids. A booking must repeat the slot's start and end and name a Location participant
// (the slot's schedule's), so a FreeSlot's id carries them: base64url JSON, opaque to callers.

const SlotReferenceSchema = z.strictObject({
  slotId: z.string().regex(UpstreamKey.fhirId.pattern),
  start: z.string().min(1).max(40),
  end: z.string().min(1).max(40),
  locationId: z.string().regex(UpstreamKey.fhirId.pattern),
});

export const slotToken = (reference: SlotReference): string =>
  Buffer.from(JSON.stringify(reference), 'utf8').toString('base64url');

/** The slot a FreeSlot id stands for; BAD_USER_INPUT naming `argument` when it is not one. */
export function parseSlotToken(token: string, argument = 'slotId'): SlotReference {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    decoded = undefined;
  }
  const parsed = SlotReferenceSchema.safeParse(decoded);
  if (!parsed.success)
    throw badUserInput(`${argument} must be a FreeSlot id, exactly as freeSlots returned it.`, argument);
  return parsed.data;
}

// ---------------------------------------------------------------------------------------------
// Searches

/** The free slots of a searchset with its included Schedules, Practitioners and Locations. */
export function toFreeSlots(bundle: GpcSearchBundle, context: { retrievedAt: string }): FreeSlot[] | Error {
  const resources = (bundle.entry ?? []).map((entry) => entry.resource);
  const byReference = new Map(resources.map((r) => [`${r.resourceType}/${r.id ?? ''}`, r]));
  const read = <T>(schema: z.ZodType<T>, reference: string | undefined): T | undefined => {
    const resource = reference === undefined ? undefined : byReference.get(reference);
    const parsed = resource === undefined ? undefined : schema.safeParse(resource);
    return parsed?.success ? parsed.data : undefined;
  };
  const slots: FreeSlot[] = [];
  for (const resource of resources) {
    if (resource.resourceType !== 'Slot') continue;
    const parsed = parseResource(SlotSchema, resource);
    if (!parsed.success) return new Error('unreadable slot');
    const slot = parsed.data;
    if (slot.status !== 'free') continue;
    const schedule = read(ScheduleSchema, slot.schedule.reference);
    const actors = (schedule?.actor ?? []).map((actor) => actor.reference ?? '');
    const locationReference = actors.find((a) => a.startsWith('Location/'));
    // A slot that names no location cannot be booked (a booking must name one): it is not offered.
    if (locationReference === undefined) continue;
    const location = read(LocationSchema, locationReference);
    const practitioner = read(
      PractitionerSchema,
      actors.find((a) => a.startsWith('Practitioner/')),
    );
    const name = practitioner?.name?.[0];
    slots.push({
      id: slotToken({
        slotId: slot.id,
        start: slot.start,
        end: slot.end,
        locationId: locationReference.slice('Location/'.length),
      }),
      start: slot.start,
      end: slot.end,
      serviceType: slot.serviceType?.[0]?.text ?? null,
      serviceCategory: schedule?.serviceCategory?.text ?? null,
      deliveryChannel: stringExtension(slot.extension, EXT.deliveryChannel),
      practitionerName: name
        ? (name.text ??
          [...(name.prefix ?? []), ...(name.given ?? []), name.family].filter(Boolean).join(' '))
        : null,
      practitionerRole: scheduleRole(byReference.get(slot.schedule.reference ?? '')),
      locationName: location?.name ?? null,
      provenance: provenanceAt(context.retrievedAt),
    });
  }
  return slots;
}

function scheduleRole(schedule: Record<string, unknown> | undefined): Concept | null {
  const extensions = Array.isArray(schedule?.['extension']) ? (schedule['extension'] as never) : undefined;
  const role = extensionValue(
    findExtension(extensions, EXT.practitionerRole),
    'valueCodeableConcept',
    CodeableConceptSchema,
  );
  return role ? gpcConcept(role) : null;
}

function stringExtension(extensions: Parameters<typeof findExtension>[0], url: string): string | null {
  const extension = findExtension(extensions, url);
  const value = extension?.['valueCode'] ?? extension?.['valueString'];
  return typeof value === 'string' ? value : null;
}

/** The provider's logical id of the patient a Patient searchset found; null when none. */
/**
 * The practice's logical id for the patient with this NHS number; null when the practice does not
 * know them. The id goes into the next request's path, so one that is not a FHIR id (`..`, a
 * slash) is the provider's bad answer, an Error, never a path segment.
 */
export function patientIdFrom(bundle: GpcSearchBundle, nhsNumber: string): string | null | Error {
  for (const entry of bundle.entry ?? []) {
    const patient = PatientSchema.safeParse(entry.resource);
    if (!patient.success) continue;
    const numbers = (patient.data.identifier ?? [])
      .filter((i) => i.system === NHS_NUMBER_SYSTEM)
      .map((i) => i.value);
    if (!numbers.includes(nhsNumber)) continue;
    return UpstreamKey.fhirId.pattern.test(patient.data.id)
      ? patient.data.id
      : new Error('the practice answered a patient id that is not a FHIR id');
  }
  return null;
}

/** The Appointments of a searchset. */
export function appointmentsOf(bundle: GpcSearchBundle): GpcAppointment[] | Error {
  const appointments: GpcAppointment[] = [];
  for (const entry of bundle.entry ?? []) {
    if (entry.resource.resourceType !== 'Appointment') continue;
    const parsed = parseResource(AppointmentSchema, entry.resource);
    if (!parsed.success) return new Error('unreadable appointment');
    appointments.push(parsed.data);
  }
  return appointments;
}

// ---------------------------------------------------------------------------------------------
// Appointment -> canonical

export function toAppointment(
  appointment: GpcAppointment,
  nhsNumber: string,
  context: { retrievedAt: string },
): Appointment {
  const bookingReference = extensionValue(
    findExtension(appointment.extension, EXT.bookingOrganisation),
    'valueReference',
    z.object({ reference: z.string() }),
  )?.reference;
  const booking = appointment.contained?.find((r) => `#${r.id ?? ''}` === bookingReference);
  const organisation = booking === undefined ? undefined : OrganizationSchema.safeParse(booking);
  const odsCode = organisation?.success
    ? (organisation.data.identifier?.find((i) => i.system === ODS_ORGANISATION_SYSTEM)?.value ?? null)
    : null;
  return {
    id: appointment.id,
    nhsNumber,
    status: appointment.status,
    start: appointment.start ?? null,
    end: appointment.end ?? null,
    created: appointment.created ?? null,
    description: appointment.description ?? null,
    comment: appointment.comment ?? null,
    serviceType: appointment.serviceType?.[0]?.text ?? null,
    deliveryChannel: stringExtension(appointment.extension, EXT.deliveryChannel),
    cancellationReason: stringExtension(appointment.extension, EXT.cancellationReason),
    bookingOrganisationOdsCode: odsCode,
    slotIds: (appointment.slot ?? []).flatMap((s) =>
      s.reference?.startsWith('Slot/') ? [s.reference.slice(5)] : [],
    ),
    provenance: provenanceAt(context.retrievedAt),
  };
}

// ---------------------------------------------------------------------------------------------
// Canonical -> the Appointment resources GP Connect is sent

export interface BookingOrganisation {
  odsCode: string;
  name: string;
  phone: string;
}

/** POST [base]/Appointment (book_appt_request_example.json). */
export function bookingAppointment(
  request: BookAppointmentRequest,
  patientId: string,
  organisation: BookingOrganisation,
  createdAt: string,
): Record<string, unknown> {
  return {
    resourceType: 'Appointment',
    meta: { profile: ['https://fhir.nhs.uk/STU3/StructureDefinition/GPConnect-Appointment-1'] },
    contained: [
      {
        resourceType: 'Organization',
        id: '1',
        meta: { profile: ['https://fhir.nhs.uk/STU3/StructureDefinition/CareConnect-GPC-Organization-1'] },
        identifier: [{ system: ODS_ORGANISATION_SYSTEM, value: organisation.odsCode }],
        name: organisation.name,
        telecom: [{ system: 'phone', value: organisation.phone }],
      },
    ],
    extension: [{ url: EXT.bookingOrganisation, valueReference: { reference: '#1' } }],
    status: 'booked',
    description: request.reason,
    start: request.slot.start,
    end: request.slot.end,
    slot: [{ reference: `Slot/${request.slot.slotId}` }],
    created: createdAt,
    ...(request.comment ? { comment: request.comment } : {}),
    participant: [
      { actor: { reference: `Patient/${patientId}` }, status: 'accepted' },
      { actor: { reference: `Location/${request.slot.locationId}` }, status: 'accepted' },
    ],
  };
}

/**
 * PUT [base]/Appointment/[id] (cancel_appt_request_example.json): the appointment as read, with
 * status `cancelled` and the cancellation reason. Everything else is sent back unchanged.
 */
export function cancellationAppointment(
  read: Record<string, unknown>,
  reason: string,
): Record<string, unknown> {
  const extensions = Array.isArray(read['extension'])
    ? (read['extension'] as Array<Record<string, unknown>>)
    : [];
  return {
    ...read,
    status: 'cancelled',
    extension: [
      ...extensions.filter((e) => e['url'] !== EXT.cancellationReason),
      { url: EXT.cancellationReason, valueString: reason },
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// Arguments -> requests (checked before GP Connect is called)

/** Slot searches may cover at most 14 days (Appointment Management, "Search for free slots"). */
export const MAX_SLOT_SEARCH_DAYS = 14;
/** How far `Patient.appointments` may reach in one query. */
export const MAX_APPOINTMENT_RANGE_DAYS = 366;
const DEFAULT_APPOINTMENT_RANGE_DAYS = 31;
const DAY_MS = 86_400_000;
const MAX_TEXT = 500;

export function checkSlotRange(from: string, to: string): { from: string; to: string } {
  const span = Date.parse(to) - Date.parse(from);
  if (!(span > 0)) throw badUserInput('to must be after from.', 'to');
  if (span > MAX_SLOT_SEARCH_DAYS * DAY_MS)
    throw badUserInput(
      `to must be at most ${MAX_SLOT_SEARCH_DAYS} days after from (GP Connect's limit).`,
      'to',
    );
  return { from, to };
}

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The appointment dates to search: today to 31 days ahead by default. */
export function appointmentRange(
  from: string | null | undefined,
  to: string | null | undefined,
  today: string,
): { from: string; to: string } {
  const start = from ?? today;
  const end = to ?? isoDay(Date.parse(start) + DEFAULT_APPOINTMENT_RANGE_DAYS * DAY_MS);
  const span = Date.parse(end) - Date.parse(start);
  if (span < 0) throw badUserInput('to must not be before from.', 'to');
  if (span > MAX_APPOINTMENT_RANGE_DAYS * DAY_MS)
    throw badUserInput(`to must be at most ${MAX_APPOINTMENT_RANGE_DAYS} days after from.`, 'to');
  return { from: start, to: end };
}

/** Free text sent to the practice (a booking's reason and comment, a cancellation reason). */
function checkText(value: string, argument: string, required: boolean): string {
  const text = value.replace(/^ +| +$/g, '');
  if ((required && text === '') || text.length > MAX_TEXT)
    throw badUserInput(`${argument} must be ${required ? '1' : '0'} to ${MAX_TEXT} characters.`, argument);
  // GP Connect publishes no character rule; printable text only (platform/free-text.ts).
  if (!isPrintableText(text))
    throw badUserInput(`${argument} must be printable text on one line (no control characters).`, argument);
  return text;
}

export function toBookingRequest(input: {
  nhsNumber: string;
  slotId: string;
  reason: string;
  comment?: string | null | undefined;
}): BookAppointmentRequest {
  return {
    nhsNumber: input.nhsNumber,
    slot: parseSlotToken(input.slotId, 'slotId'),
    reason: checkText(input.reason, 'reason', true),
    comment: input.comment ? checkText(input.comment, 'comment', false) || null : null,
  };
}

export function toCancellationRequest(input: {
  nhsNumber: string;
  appointmentId: string;
  reason: string;
}): CancelAppointmentRequest {
  return {
    nhsNumber: input.nhsNumber,
    appointmentId: checkArgument('fhirId', input.appointmentId, 'appointmentId'),
    reason: checkText(input.reason, 'reason', true),
  };
}
