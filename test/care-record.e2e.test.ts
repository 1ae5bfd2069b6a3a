// End to end over real HTTP: sandbox GP Connect and PDS <- careRecord and demographics subgraphs
// (and the rest) <- Hive Gateway, each its own process on free ports, as `npm start` runs them.
// The careRecord subgraph adds the GP record to demographics' Patient; the gateway joins them
// through `_entities`. What is counted here is GP Connect calls at the sandbox: one per patient per
// request, whatever sections the query asks, and again on every request (nothing cached).
import { randomUUID } from 'node:crypto';
import { errorCodes, postGraphQL } from './graphql-client.js';
import { sandboxRequests, structuredRecordCalls } from './sandbox-client.js';
import { bearer, mintToken } from './tokens.js';
import { useTestStack } from './stack.js';

const stack = useTestStack({
  SANDBOX_SYNTHETIC_PATIENTS: '0',
});
let asClinician: Record<string, string>;

beforeAll(async () => {
  asClinician = bearer(await mintToken(stack.sandboxUrl, 'clinician'));
}, 60_000);

const gql = (document: string, variables?: Record<string, unknown>) =>
  postGraphQL(stack.gatewayUrl, document, variables, asClinician);
const structuredCalls = () => structuredRecordCalls(stack.sandboxUrl);

const SECTIONS = `
  allergies { active { items { code { code display } } emptyReason { kind } unresolvedEntries } }
  medications { items { code { code } medicine { code } } }
  problems { items { code { code mapped } } }
`;

describe('Patient’s GP record through the gateway', () => {
  it('answers demographics and three record sections of one patient with one GP Connect call', async () => {
    const response = await gql(
      `{ patient(nhsNumber: "9000000009") { nhsNumber name { text } ${SECTIONS} } }`,
    );
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data).toEqual({
      patient: {
        nhsNumber: '9000000009',
        name: { text: expect.any(String) },
        allergies: {
          active: {
            items: [
              { code: { code: '323509004', display: 'Amoxicillin 250mg capsules' } },
              { code: { code: '256349002', display: 'Peanut - dietary' } },
              { code: { code: '196461000000101', display: 'Transfer-degraded drug allergy' } },
            ],
            emptyReason: null,
            unresolvedEntries: 1,
          },
        },
        medications: {
          items: [
            { code: { code: '323509004' }, medicine: { code: '323509004' } },
            { code: { code: '323509004' }, medicine: { code: '323509004' } },
            { code: { code: '319773006' }, medicine: { code: '319773006' } },
          ],
        },
        problems: {
          items: [
            { code: { code: '38341003', mapped: true } },
            { code: { code: '90560007', mapped: true } },
            { code: { code: null, mapped: false } },
          ],
        },
      },
    });
    expect(await structuredCalls()).toBe(1);
    // The GP Connect call carries the request's correlation id.
    const { log } = await sandboxRequests(stack.sandboxUrl);
    const correlationIds = new Set(log.map((entry) => entry.correlationId));
    expect(correlationIds.size).toBe(1);
  });

  it('makes one call per patient for five patients, never one per section', async () => {
    const five = ['9000000009', '9000000017', '9000000033', '9733162043', '9736363015'];
    const aliases = five
      .map((n, i) => `p${i}: patient(nhsNumber: "${n}") { nhsNumber ${SECTIONS} }`)
      .join('\n');
    const response = await gql(`{ ${aliases} }`);
    expect(response.body.errors).toBeUndefined();
    expect(Object.keys(response.body.data ?? {})).toHaveLength(5);
    expect(await structuredCalls()).toBe(5);
  });

  it('reads GP Connect again for the same query: clinical data is never cached', async () => {
    const query = `{ patient(nhsNumber: "9000000017") { allergies { active { emptyReason { kind text } } } } }`;
    const first = await gql(query);
    const second = await gql(query);
    expect(second.body).toEqual(first.body);
    expect(first.body.data).toEqual({
      patient: {
        allergies: {
          active: { emptyReason: { kind: 'NO_CONTENT_RECORDED', text: 'Information not available.' } },
        },
      },
    });
    expect(await structuredCalls()).toBe(2);
  });
});

describe('when GP Connect refuses or fails, demographics still answers', () => {
  it.each([
    ['5900056597', 'FORBIDDEN', 'NO_PATIENT_CONSENT'],
    ['9000000025', 'NOT_FOUND', 'PATIENT_NOT_FOUND'],
    ['5900046192', 'FORBIDDEN', 'NO_RELATIONSHIP'],
  ])('%s: the record is null with %s (%s); the name answers', async (nhsNumber, code, upstreamCode) => {
    const response = await gql(
      `{ patient(nhsNumber: "${nhsNumber}") { nhsNumber name { text } allergies { active { items { id } } } } }`,
    );
    expect(response.body.data).toEqual({
      patient: { nhsNumber, name: { text: expect.any(String) }, allergies: null },
    });
    expect(
      response.body.errors?.map((e) => [e.path, e.extensions?.['code'], e.extensions?.['upstreamCode']]),
    ).toEqual([[['patient', 'allergies'], code, upstreamCode]]);
  });

  it('answers UPSTREAM_UNAVAILABLE for the record while GP Connect is down', async () => {
    await fetch(`${stack.sandboxUrl}/_sandbox/faults/gpconnect`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ failNext: 3, retryAfterSeconds: 0 }),
    });
    const response = await gql(
      `{ patient(nhsNumber: "9000000009") { nhsNumber name { text } medications { items { id } } } }`,
    );
    expect(response.body.data).toEqual({
      patient: { nhsNumber: '9000000009', name: { text: expect.any(String) }, medications: null },
    });
    expect(errorCodes(response)).toEqual(['UPSTREAM_UNAVAILABLE']);
  });
});

describe('Medication.medicine through federation', () => {
  it('resolves the dm+d medicine of a GP Connect medication in the medicines subgraph', async () => {
    const response = await gql(
      `{ patient(nhsNumber: "9000000009") { medications { items { code { code } medicine { code kind } } } } }`,
    );
    const items = (
      response.body.data?.['patient'] as { medications: { items: Array<{ medicine: unknown }> } }
    ).medications.items;
    expect(items[2]).toEqual({
      code: { code: '319773006' },
      medicine: { code: '319773006', kind: expect.any(String) },
    });
  });
});

describe('booking through the gateway', () => {
  it('books once when the same mutation is sent again with the same idempotency key', async () => {
    const day = new Date(Date.now() + 40 * 86_400_000);
    day.setUTCDate(day.getUTCDate() + ((8 - day.getUTCDay()) % 7));
    const monday = day.toISOString().slice(0, 10);
    const slots = await gql(
      `{ freeSlots(from: "${monday}T00:00:00+00:00", to: "${monday}T23:59:00+00:00") { id start } }`,
    );
    const slot = (slots.body.data?.['freeSlots'] as Array<{ id: string; start: string }>)[0]!;
    const book = `mutation($input: BookAppointmentInput!) { bookAppointment(input: $input) { id status start } }`;
    const input = {
      nhsNumber: '9000000009',
      slotId: slot.id,
      reason: 'Review',
      idempotencyKey: randomUUID(),
    };
    const first = await gql(book, { input });
    const again = await gql(book, { input });
    expect(first.body.errors).toBeUndefined();
    expect(first.body.data).toEqual({
      bookAppointment: { id: expect.any(String), status: 'booked', start: slot.start },
    });
    expect(again.body).toEqual(first.body);
    const { counts } = await sandboxRequests(stack.sandboxUrl);
    expect(counts['gpconnect POST /{ods}/STU3/1/gpconnect/fhir/Appointment']).toBe(1);
  });
});
