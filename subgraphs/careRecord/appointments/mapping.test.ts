// GP Connect Appointment Management examples -> canonical appointments and free slots, and the
// Appointment resources nhs-graph sends, over every published appointments example copied into
// sandbox/fixtures/gpconnect/gpconnect/_includes/appointments/.
import { readdirSync, readFileSync } from 'node:fs';
import { parseAppointment, parseSearchBundle, type GpcAppointment } from './fhir.js';
import {
  appointmentRange,
  appointmentsOf,
  bookingAppointment,
  cancellationAppointment,
  checkSlotRange,
  parseSlotToken,
  patientIdFrom,
  slotToken,
  toAppointment,
  toBookingRequest,
  toFreeSlots,
} from './mapping.js';

const EXAMPLES = new URL('../../../sandbox/fixtures/gpconnect/gpconnect/_includes/', import.meta.url);
const json = (path: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(path, EXAMPLES), 'utf8')) as Record<string, unknown>;
const RETRIEVED_AT = '2026-01-15T09:30:00.000Z';

function thrownBy(run: () => unknown): { extensions?: Record<string, unknown> } {
  try {
    run();
  } catch (error) {
    return error as { extensions?: Record<string, unknown> };
  }
  throw new Error('expected an error');
}
const badInput = (argument: string) => ({ extensions: { code: 'BAD_USER_INPUT', argument } });

function appointment(file: string): GpcAppointment {
  const parsed = parseAppointment(json(`appointments/${file}`));
  if (!parsed.success) throw new Error(`${file}: ${parsed.issues.join('; ')}`);
  return parsed.data;
}

function searchset(path: string) {
  const parsed = parseSearchBundle(json(path));
  if (!parsed.success) throw new Error(`${path}: ${parsed.issues.join('; ')}`);
  return parsed.data;
}

describe('every published appointments example parses', () => {
  const files = readdirSync(new URL('appointments/', EXAMPLES)).sort();
  it('is the set this file knows', () => {
    expect(files).toEqual([
      'amend_appt_request_example.json',
      'amend_appt_response_example.json',
      'book_appt_request_example.json',
      'book_appt_response_example.json',
      'cancel_appt_request_example.json',
      'cancel_appt_response_example.json',
      'read_appt_response_example.json',
      'retrieve_patients_appts_response_example.json',
      'search_for_free_slots_response_example.json',
    ]);
  });

  it.each(files.filter((f) => !f.startsWith('retrieve') && !f.startsWith('search')))('%s', (file) => {
    // book_appt_request_example.json has no id yet: it is what a consumer sends.
    const body = json(`appointments/${file}`);
    const parsed = parseAppointment({ id: 'new', ...body });
    expect(parsed.success).toBe(true);
  });
});

describe('free slots (search_for_free_slots_response_example.json)', () => {
  it('maps each free slot with its schedule, practitioner and location; the id carries what a booking needs', () => {
    const slots = toFreeSlots(searchset('appointments/search_for_free_slots_response_example.json'), {
      retrievedAt: RETRIEVED_AT,
    });
    if (slots instanceof Error) throw slots;
    expect(slots.map(({ id: _id, ...slot }) => slot)).toEqual([
      {
        start: '2016-08-15T11:30:00+01:00',
        end: '2016-08-15T11:40:00+01:00',
        serviceType: 'General GP Appointment',
        serviceCategory: 'General GP Appointments',
        deliveryChannel: 'In-person',
        practitionerName: 'Mrs Sarah Black',
        practitionerRole: expect.objectContaining({ display: 'General Medical Practitioner', mapped: false }),
        locationName: 'The Trevelyan Practice',
        provenance: { source: 'GP Connect', retrievedAt: RETRIEVED_AT, stale: false },
      },
      expect.objectContaining({ start: '2016-08-15T11:40:00+01:00', serviceType: 'NHS Health Check' }),
    ]);
    expect(parseSlotToken(slots[0]!.id)).toEqual({
      slotId: '1584',
      start: '2016-08-15T11:30:00+01:00',
      end: '2016-08-15T11:40:00+01:00',
      locationId: '17',
    });
  });

  it('refuses a slot id that is not one, naming the argument', () => {
    expect(thrownBy(() => parseSlotToken('1584'))).toMatchObject(badInput('slotId'));
    const forged = Buffer.from(
      JSON.stringify({ slotId: '1', start: 's', end: 'e', locationId: '1', extra: 1 }),
    ).toString('base64url');
    expect(thrownBy(() => parseSlotToken(forged))).toMatchObject(badInput('slotId'));
  });
});

describe('appointments', () => {
  it('maps a booked appointment (book_appt_response_example.json)', () => {
    expect(
      toAppointment(appointment('book_appt_response_example.json'), '9000000009', {
        retrievedAt: RETRIEVED_AT,
      }),
    ).toEqual({
      id: '9',
      nhsNumber: '9000000009',
      status: 'booked',
      start: '2017-05-30T10:00:00+01:00',
      end: '2017-05-30T10:25:00+01:00',
      created: '2017-05-25T13:48:41+01:00',
      description: 'Free text description.',
      comment: 'Free text comment.',
      serviceType: 'General GP Appointment',
      deliveryChannel: 'In-person',
      cancellationReason: null,
      bookingOrganisationOdsCode: 'A00001',
      slotIds: ['1'],
      provenance: { source: 'GP Connect', retrievedAt: RETRIEVED_AT, stale: false },
    });
  });

  it('maps a cancellation with its reason (cancel_appt_response_example.json)', () => {
    expect(
      toAppointment(appointment('cancel_appt_response_example.json'), '9000000009', {
        retrievedAt: RETRIEVED_AT,
      }),
    ).toMatchObject({
      status: 'cancelled',
      cancellationReason: 'Free text cancellation reason.',
    });
  });

  it('reads a patient’s appointments (retrieve_patients_appts_response_example.json)', () => {
    const appointments = appointmentsOf(
      searchset('appointments/retrieve_patients_appts_response_example.json'),
    );
    if (appointments instanceof Error) throw appointments;
    expect(appointments.map((a) => [a.id, a.status, a.slot?.length])).toEqual([
      ['148', 'booked', 3],
      ['149', 'booked', 1],
    ]);
  });

  it('finds the practice’s id for a patient (find_patient_response_example.json)', () => {
    const bundle = searchset('foundations/find_patient_response_example.json');
    expect(patientIdFrom(bundle, '9476719931')).toBe('2');
    expect(patientIdFrom(bundle, '9000000009')).toBeNull();
  });

  // The id becomes a path segment of the next call; a dot segment from the provider used to be
  // refused by the URL builder as the caller's BAD_USER_INPUT, when the fault is the provider's.
  it.each(['..', '.', 'a/b', ''])('treats a patient id %p as an invalid answer, not a path', (id) => {
    const bundle = searchset('foundations/find_patient_response_example.json');
    const tampered = {
      ...bundle,
      entry: bundle.entry?.map((e) => ({ ...e, resource: { ...e.resource, id } })),
    } as typeof bundle;
    expect(patientIdFrom(tampered, '9476719931')).toBeInstanceOf(Error);
  });
});

describe('what nhs-graph sends', () => {
  const published = json('appointments/book_appt_request_example.json');

  it('books in the shape of book_appt_request_example.json', () => {
    const request = toBookingRequest({
      nhsNumber: '9000000009',
      slotId: slotToken({
        slotId: '1',
        start: '2017-05-30T10:00:00+01:00',
        end: '2017-05-30T10:25:00+01:00',
        locationId: '32',
      }),
      reason: ' Free text description. ',
      comment: 'Free text comment.',
    });
    const body = bookingAppointment(
      request,
      '1',
      { odsCode: 'A00001', name: 'Test Organization Name', phone: '0300 303 5678' },
      '2017-05-25T13:48:41+01:00',
    );
    // The published request, minus what only it carries (the organisation type).
    const { contained: publishedContained, ...publishedRest } = published;
    const { contained, ...rest } = body;
    expect(rest).toEqual(publishedRest);
    const [organisation] = contained as Array<Record<string, unknown>>;
    const { type: _type, ...publishedOrganisation } = (
      publishedContained as Array<Record<string, unknown>>
    )[0]!;
    expect(organisation).toEqual(publishedOrganisation);
  });

  it('cancels by sending the appointment back cancelled, with the reason (cancel_appt_request_example.json)', () => {
    const read = json('appointments/book_appt_response_example.json');
    const body = cancellationAppointment(read, 'Free text cancellation reason.');
    expect(body['status']).toBe('cancelled');
    expect(body['extension']).toContainEqual({
      url: 'https://fhir.nhs.uk/STU3/StructureDefinition/Extension-GPConnect-AppointmentCancellationReason-1',
      valueString: 'Free text cancellation reason.',
    });
    expect(body['slot']).toEqual(read['slot']);
  });
});

describe('arguments', () => {
  it('bounds a slot search to 14 days, `to` after `from`', () => {
    expect(checkSlotRange('2030-01-01T00:00:00Z', '2030-01-15T00:00:00Z')).toBeDefined();
    for (const to of ['2030-01-15T00:00:01Z', '2029-12-31T00:00:00Z', '2030-01-01T00:00:00Z'])
      expect(thrownBy(() => checkSlotRange('2030-01-01T00:00:00Z', to))).toMatchObject(badInput('to'));
  });

  it('lists appointments from today for 31 days unless told, at most 366 days', () => {
    expect(appointmentRange(undefined, undefined, '2030-01-01')).toEqual({
      from: '2030-01-01',
      to: '2030-02-01',
    });
    expect(thrownBy(() => appointmentRange('2030-01-01', '2031-06-01', '2030-01-01'))).toMatchObject(
      badInput('to'),
    );
  });
});
