// Appointment Management for the GP Connect stand-in: free slots generated per weekday in the
// shape of search_for_free_slots_response_example.json, bookings kept in memory for the life of
// the process, and the provider's answers as the provider acceptance tests pin them
// (gpconnect-provider-testing AppointmentBook.feature: a missing Patient or Location participant,
// slot, start, end or status, or a booking organisation without name or telecom, is 422
// INVALID_RESOURCE; re-using a booked slot is 409 DUPLICATE_REJECTED).
import { randomUUID } from 'node:crypto';
import { readExample, resourcesOf, type Json } from './fixtures.js';
import { spineError, type Refusal } from './checks.js';

export interface Answer {
  status: number;
  body: unknown;
}

/** How far a slot search may reach (Appointment Management: "a maximum of 14 days"). */
export const MAX_SEARCH_DAYS = 14;
const DAY_MS = 86_400_000;
/** Morning surgery: 09:00–12:00 UTC in ten-minute slots, Monday to Friday. */
const FIRST_SLOT_MINUTES = 9 * 60;
const SLOTS_PER_DAY = 18;
const SLOT_MINUTES = 10;

interface StoredAppointment {
  resource: Json;
  patientId: string;
  slotId: string;
}

export interface AppointmentBook {
  searchSlots(query: URLSearchParams): Answer;
  findPatient(query: URLSearchParams, patientIdOf: (nhsNumber: string) => string | null): Answer;
  book(body: unknown, knownPatient: (id: string) => boolean): Answer;
  read(id: string): Answer;
  cancel(id: string, body: unknown): Answer;
  patientAppointments(patientId: string, query: URLSearchParams): Answer;
}

export function createAppointmentBook(now: () => number = Date.now): AppointmentBook {
  const example = resourcesOf(readExample('appointments/search_for_free_slots_response_example.json'));
  const slotTemplates = example.filter((r) => r['resourceType'] === 'Slot');
  const includes = example.filter((r) => r['resourceType'] !== 'Slot');
  const bookedResponse = readExample('appointments/book_appt_response_example.json');
  const foundPatient = resourcesOf(readExample('foundations/find_patient_response_example.json'))[0] ?? {};
  const appointments = new Map<string, StoredAppointment>();
  const bookedSlots = new Set<string>();
  let nextId = 1;

  return {
    searchSlots(query) {
      const range = searchRange(query.getAll('start'), query.getAll('end'));
      if (typeof range === 'string') return spineError('INVALID_PARAMETER', range);
      if (query.get('status') !== 'free') return spineError('INVALID_PARAMETER', 'status must be free');
      const slots = slotsBetween(range.from, range.to, now())
        .filter((slot) => !bookedSlots.has(slot.id))
        .map((slot, n) => ({
          ...structuredClone(slotTemplates[n % slotTemplates.length] ?? {}),
          id: slot.id,
          start: slot.start,
          end: slot.end,
        }));
      const withSchedules = slots.length > 0 && query.getAll('_include').includes('Slot:schedule');
      return ok(searchset([...slots, ...(withSchedules ? includes : [])]));
    },

    findPatient(query, patientIdOf) {
      const [system, value] = (query.get('identifier') ?? '').split('|');
      if (system !== 'https://fhir.nhs.uk/Id/nhs-number' || !/^\d{10}$/.test(value ?? ''))
        return spineError(
          'INVALID_IDENTIFIER_SYSTEM',
          'identifier must be https://fhir.nhs.uk/Id/nhs-number|<NHS number>',
        );
      const id = patientIdOf(value ?? '');
      // A patient the practice does not hold is an empty searchset (PatientSearch.feature).
      if (id === null) return ok(searchset([]));
      const patient = structuredClone(foundPatient);
      patient['id'] = id;
      patient['identifier'] = [{ system: 'https://fhir.nhs.uk/Id/nhs-number', value }];
      return ok(searchset([patient]));
    },

    book(body, knownPatient) {
      const appointment = asAppointment(body);
      if (appointment === null || appointment['status'] !== 'booked')
        return invalid('An Appointment with status booked is required');
      const missing = bookingProblem(appointment);
      if (missing !== null) return invalid(missing);
      const slotId = referenceId(appointment, 'slot', 'Slot');
      const slot = slotId === null ? undefined : slotById(slotId, now());
      if (slot === undefined) return invalid('Slot reference does not name a slot at this practice');
      if (appointment['start'] !== slot.start || appointment['end'] !== slot.end)
        return invalid('Appointment start and end must be those of the slot');
      const patientId = participantId(appointment, 'Patient');
      if (patientId === null || !knownPatient(patientId))
        return invalid('Patient participant is not a patient at this practice');
      if (bookedSlots.has(slot.id)) return spineError('DUPLICATE_REJECTED', 'The slot is already booked');
      bookedSlots.add(slot.id);
      const id = String(nextId++);
      const resource: Json = {
        ...structuredClone(bookedResponse),
        ...appointment,
        id,
        meta: {
          versionId: String(now()),
          profile: ['https://fhir.nhs.uk/STU3/StructureDefinition/GPConnect-Appointment-1'],
        },
        created: appointment['created'] ?? new Date(now()).toISOString(),
      };
      appointments.set(id, { resource, patientId, slotId: slot.id });
      return { status: 201, body: resource };
    },

    read(id) {
      const stored = appointments.get(id);
      return stored ? ok(stored.resource) : spineError('NO_RECORD_FOUND', `Appointment/${id}`);
    },

    cancel(id, body) {
      const stored = appointments.get(id);
      if (stored === undefined) return spineError('NO_RECORD_FOUND', `Appointment/${id}`);
      const appointment = asAppointment(body);
      if (appointment === null || appointment['id'] !== id || appointment['status'] !== 'cancelled')
        return invalid('A cancelled Appointment with the id of the one to cancel is required');
      const reason = JSON.stringify(appointment['extension'] ?? []);
      if (!reason.includes('Extension-GPConnect-AppointmentCancellationReason-1'))
        return invalid('A cancellation reason is required');
      if (stored.resource['status'] === 'cancelled') return invalid('The appointment is already cancelled');
      if (Date.parse(String(stored.resource['start'])) < now())
        return invalid('The appointment is in the past');
      stored.resource = {
        ...stored.resource,
        status: 'cancelled',
        extension: appointment['extension'],
        meta: { ...(stored.resource['meta'] as Json), versionId: String(now()) },
      };
      bookedSlots.delete(stored.slotId);
      return ok(stored.resource);
    },

    patientAppointments(patientId, query) {
      const bounds = query.getAll('start');
      const from = bounds.find((b) => b.startsWith('ge'))?.slice(2);
      const to = bounds.find((b) => b.startsWith('le'))?.slice(2);
      if ((from && Number.isNaN(Date.parse(from))) || (to && Number.isNaN(Date.parse(to))))
        return spineError('INVALID_PARAMETER', 'start must be ge<date> and le<date>');
      const within = (start: number) =>
        (from === undefined || start >= Date.parse(from)) &&
        (to === undefined || start <= Date.parse(to) + DAY_MS - 1);
      return ok(
        searchset(
          [...appointments.values()]
            .filter((a) => a.patientId === patientId && within(Date.parse(String(a.resource['start']))))
            .map((a) => a.resource),
        ),
      );
    },
  };
}

const ok = (body: unknown): Answer => ({ status: 200, body });
const invalid = (diagnostics: string): Refusal => spineError('INVALID_RESOURCE', diagnostics);

const searchset = (resources: Json[]): Json => ({
  resourceType: 'Bundle',
  id: randomUUID(),
  type: 'searchset',
  ...(resources.length > 0 ? { entry: resources.map((resource) => ({ resource })) } : {}),
});

/** `start=ge<instant>` and `end=le<instant>`, at most MAX_SEARCH_DAYS apart. */
function searchRange(starts: string[], ends: string[]): { from: number; to: number } | string {
  const start = starts.find((s) => s.startsWith('ge'))?.slice(2);
  const end = ends.find((e) => e.startsWith('le'))?.slice(2);
  const from = start === undefined ? Number.NaN : Date.parse(start);
  const to = end === undefined ? Number.NaN : Date.parse(end);
  if (Number.isNaN(from) || Number.isNaN(to)) return 'start=ge<date-time> and end=le<date-time> are required';
  if (to <= from) return 'end must be after start';
  if (to - from > MAX_SEARCH_DAYS * DAY_MS) return `the search may cover at most ${MAX_SEARCH_DAYS} days`;
  return { from, to };
}

interface GeneratedSlot {
  id: string;
  start: string;
  end: string;
}

const instant = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+00:00');

function slotAt(dayStart: number, n: number): GeneratedSlot {
  const start = dayStart + (FIRST_SLOT_MINUTES + n * SLOT_MINUTES) * 60_000;
  const stamp = new Date(start).toISOString();
  return {
    id: `${stamp.slice(0, 10).replace(/-/g, '')}${stamp.slice(11, 16).replace(':', '')}`,
    start: instant(start),
    end: instant(start + SLOT_MINUTES * 60_000),
  };
}

/** Future weekday slots starting within [from, to]. */
function slotsBetween(from: number, to: number, now: number): GeneratedSlot[] {
  const slots: GeneratedSlot[] = [];
  for (let day = Math.floor(from / DAY_MS) * DAY_MS; day <= to; day += DAY_MS) {
    const weekday = new Date(day).getUTCDay();
    if (weekday === 0 || weekday === 6) continue;
    for (let n = 0; n < SLOTS_PER_DAY; n += 1) {
      const slot = slotAt(day, n);
      const start = Date.parse(slot.start);
      if (start >= from && start <= to && start > now) slots.push(slot);
    }
  }
  return slots;
}

/** The generated slot with this id (`YYYYMMDDHHMM`), if it is a future weekday surgery slot. */
function slotById(id: string, now: number): GeneratedSlot | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(id);
  if (!match) return undefined;
  const [, y, mo, d, h, mi] = match.map(Number) as [number, number, number, number, number, number];
  const day = Date.UTC(y, mo - 1, d);
  const n = (h * 60 + mi - FIRST_SLOT_MINUTES) / SLOT_MINUTES;
  if (!Number.isInteger(n) || n < 0 || n >= SLOTS_PER_DAY) return undefined;
  return slotsBetween(day, day + DAY_MS - 1, now).find((slot) => slot.id === id);
}

function asAppointment(body: unknown): Json | null {
  return typeof body === 'object' && body !== null && (body as Json)['resourceType'] === 'Appointment'
    ? (body as Json)
    : null;
}

const references = (value: unknown): string[] =>
  Array.isArray(value)
    ? value.flatMap((item) => {
        const reference =
          (item as { reference?: unknown; actor?: { reference?: unknown } } | null)?.reference ??
          (item as { actor?: { reference?: unknown } } | null)?.actor?.reference;
        return typeof reference === 'string' ? [reference] : [];
      })
    : [];

function referenceId(appointment: Json, field: string, type: string): string | null {
  const found = references(appointment[field]).find((r) => r.startsWith(`${type}/`));
  return found === undefined ? null : found.slice(type.length + 1);
}

const participantId = (appointment: Json, type: string) => referenceId(appointment, 'participant', type);

/** Why a booking request is incomplete, or null. */
function bookingProblem(appointment: Json): string | null {
  if (typeof appointment['start'] !== 'string' || typeof appointment['end'] !== 'string')
    return 'start and end are required';
  if (references(appointment['slot']).length === 0) return 'slot is required';
  if (participantId(appointment, 'Patient') === null) return 'a Patient participant is required';
  if (participantId(appointment, 'Location') === null) return 'a Location participant is required';
  if (typeof appointment['description'] !== 'string' || appointment['description'] === '')
    return 'description is required';
  const extensions = Array.isArray(appointment['extension']) ? (appointment['extension'] as Json[]) : [];
  const bookingReference = extensions.find((e) =>
    String(e['url']).endsWith('Extension-GPConnect-BookingOrganisation-1'),
  )?.['valueReference'] as { reference?: unknown } | undefined;
  const booking =
    typeof bookingReference?.reference === 'string' ? bookingReference.reference.slice(1) : undefined;
  const organisation = Array.isArray(appointment['contained'])
    ? (appointment['contained'] as Json[]).find(
        (r) => r['resourceType'] === 'Organization' && r['id'] === booking,
      )
    : undefined;
  if (organisation === undefined) return 'a booking organisation is required';
  if (typeof organisation['name'] !== 'string' || !Array.isArray(organisation['telecom']))
    return 'the booking organisation needs a name and telecom';
  return null;
}
