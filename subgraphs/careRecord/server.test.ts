// The careRecord subgraph in-process (Apollo executeOperation) against the sandbox GP Connect over
// real HTTP: one structured-record call per patient whatever the sections asked, the union of
// their include parameters, nothing cached, GP Connect's errors, the audit trail, and
// appointments: free slots, booking and cancelling once per idempotency key.
import { randomUUID } from 'node:crypto';
import { createMemoryAuditStore } from '../../platform/audit/memory-store.js';
import { loadSubgraphConfig } from '../../platform/manifest.js';
import { careRecord } from './manifest.js';
import { ConfigError } from '../../platform/config.js';
import { createUpstreamClient } from '../../platform/http.js';
import { createIdempotencyStore, type IdempotencyStore } from '../../platform/idempotency.js';
import { createLogger } from '../../platform/logger.js';
import type { Principal } from '../../platform/principal.js';
import { createSubgraphServer } from '../../platform/subgraph.js';
import { startSandbox, type Sandbox } from '../../sandbox/server.js';
import { clinician } from '../../test/principals.js';
import { resetSandbox, sandboxRequests } from '../../test/sandbox-client.js';
import { requestScope } from '../../test/scope.js';
import { createCareRecordSubgraph } from './server.js';

const logger = createLogger('test', 'silent');
const STRUCTURED = 'gpconnect POST /{ods}/STU3/1/gpconnect/structured/fhir/Patient/$gpc.getstructuredrecord';
const BOOK = 'gpconnect POST /{ods}/STU3/1/gpconnect/fhir/Appointment';
const CANCEL = 'gpconnect PUT /{ods}/STU3/1/gpconnect/fhir/Appointment/{id}';

let sandbox: Sandbox;
let idempotency: IdempotencyStore;
const auditStore = createMemoryAuditStore();
let execute: (query: string, variables?: Record<string, unknown>, principal?: Principal) => Promise<Result>;

interface Result {
  data?: Record<string, unknown> | null;
  errors?: ReadonlyArray<{ path?: ReadonlyArray<string | number>; extensions?: Record<string, unknown> }>;
}

beforeAll(async () => {
  sandbox = await startSandbox(0, { syntheticPatients: 20 });
  // Redis when REDIS_URL is set (CI), so keyed writes are tested on the store replicas share.
  const config = loadSubgraphConfig(careRecord, {
    GPCONNECT_BASE_URL: `${sandbox.url}/gpconnect`,
    UPSTREAM_MAX_RETRY_AFTER_SECONDS: '1',
    REDIS_KEY_PREFIX: `nhs-graph-test-${randomUUID()}:`,
    ...(process.env['REDIS_URL'] ? { REDIS_URL: process.env['REDIS_URL'] } : {}),
  });
  idempotency = createIdempotencyStore(config, logger);
  const definition = createCareRecordSubgraph(
    createUpstreamClient(config.upstreams.gpconnect, logger),
    { baseUrl: config.upstreams.gpconnect.baseUrl, consumer: config.settings },
    idempotency,
  );
  const server = createSubgraphServer(definition, logger);
  await server.start();
  execute = async (query, variables, principal = clinician()) => {
    const response = await server.executeOperation(
      { query, ...(variables ? { variables } : {}) },
      { contextValue: definition.createContext(requestScope(principal, auditStore)) },
    );
    if (response.body.kind !== 'single') throw new Error('expected a single result');
    return response.body.singleResult;
  };
});

afterAll(async () => {
  await idempotency.close();
  await sandbox.close();
});
beforeEach(() => resetSandbox(sandbox.url));

const counts = async () => (await sandboxRequests(sandbox.url)).counts;
const entities = (fields: string) =>
  `query($r: [_Any!]!) { _entities(representations: $r) { ... on Patient { nhsNumber ${fields} } } }`;
const patients = (...nhsNumbers: string[]) => ({
  r: nhsNumbers.map((nhsNumber) => ({ __typename: 'Patient', nhsNumber })),
});
const codes = (result: Result) => (result.errors ?? []).map((e) => e.extensions);

const THREE_SECTIONS = entities(`
  allergies { active { items { code { code } } unresolvedEntries } ended { items { id } } }
  medications { items { code { code } medicine { code } issues { id } } }
  problems { items { code { code display mapped } clinicalStatus } }
`);

describe('one structured-record call per patient', () => {
  it('reads allergies, medications and problems of one patient in one GP Connect call', async () => {
    const result = await execute(THREE_SECTIONS, patients('9000000009'));
    expect(result.errors).toBeUndefined();
    expect(result.data?.['_entities']).toEqual([
      {
        nhsNumber: '9000000009',
        allergies: {
          active: {
            items: [
              { code: { code: '323509004' } },
              { code: { code: '256349002' } },
              { code: { code: '196461000000101' } },
            ],
            unresolvedEntries: 1,
          },
          ended: null,
        },
        medications: {
          items: [
            { code: { code: '323509004' }, medicine: { code: '323509004' }, issues: null },
            { code: { code: '323509004' }, medicine: { code: '323509004' }, issues: null },
            { code: { code: '319773006' }, medicine: { code: '319773006' }, issues: null },
          ],
        },
        problems: {
          items: [
            {
              code: { code: '38341003', display: 'Hypertensive disorder, systemic arterial', mapped: true },
              clinicalStatus: 'active',
            },
            { code: { code: '90560007', display: 'Gout', mapped: true }, clinicalStatus: 'inactive' },
            // Coded in Read v2 only: kept, flagged unmapped.
            { code: { code: null, display: 'Asthma', mapped: false }, clinicalStatus: 'active' },
          ],
        },
      },
    ]);
    expect(await counts()).toEqual({ [STRUCTURED]: 1 });
  });

  it('makes 5 calls for 5 patients, never one per section', async () => {
    const five = ['9000000009', '9000000017', '9000000033', '9733162043', '9736363015'];
    const result = await execute(THREE_SECTIONS, patients(...five));
    expect(result.errors).toBeUndefined();
    expect((result.data?.['_entities'] as unknown[]).length).toBe(5);
    expect(await counts()).toEqual({ [STRUCTURED]: 5 });
  });

  it('asks once with the union of the sections’ include parameters, and answers each what it asked', async () => {
    const result = await execute(
      entities(`
        current: allergies { ended { items { id } } }
        all: allergies(includeEnded: true) { ended { items { id endReason } } }
        plain: medications { items { issues { id } } }
        issued: medications(includeIssues: true) { items { issues { authoredOn } } }
      `),
      patients('9000000009'),
    );
    expect(result.errors).toBeUndefined();
    const [patient] = result.data?.['_entities'] as Array<Record<string, unknown>>;
    expect(patient?.['current']).toEqual({ ended: null });
    expect(patient?.['all']).toEqual({
      ended: {
        items: [
          { id: 'Resolved-1', endReason: 'Patient reports no subsequent recurrence on same medication' },
        ],
      },
    });
    expect(patient?.['plain']).toEqual({ items: [{ issues: null }, { issues: null }, { issues: null }] });
    // The sandbox sends issues only when includePrescriptionIssues was true.
    expect(patient?.['issued']).toEqual({
      items: [
        { issues: [{ authoredOn: '2016-05-10' }] },
        { issues: [] },
        { issues: [{ authoredOn: '2016-08-11' }, { authoredOn: '2016-09-11' }] },
      ],
    });
    expect(await counts()).toEqual({ [STRUCTURED]: 1 });
  });

  it('never caches clinical data: the same query again reads GP Connect again', async () => {
    await execute(THREE_SECTIONS, patients('9000000009'));
    await execute(THREE_SECTIONS, patients('9000000009'));
    expect(await counts()).toEqual({ [STRUCTURED]: 2 });
  });

  it('audits one read per patient, naming the resource types read', async () => {
    const before = auditStore.records.length;
    await execute(
      entities('allergies { active { items { id } } } immunisations { items { id } }'),
      patients('9000000017'),
    );
    const reads = auditStore.records.slice(before).filter((r) => r.service === 'GP Connect');
    expect(reads.map((r) => [r.nhsNumber, r.resourceTypes, r.outcome])).toEqual([
      ['9000000017', ['AllergyIntolerance', 'Immunization'], 'read'],
    ]);
  });
});

describe('empty lists say why', () => {
  it.each([
    ['9658218989', 'NIL_KNOWN', 'No known allergies'],
    ['9658218865', 'NONE_GIVEN', expect.stringMatching(/not been confirmed with the patient/)],
    ['9000000033', 'NO_CONTENT_RECORDED', 'Information not available'],
  ])('%s: %s', async (nhsNumber, kind, text) => {
    const result = await execute(
      entities('allergies { active { items { id } emptyReason { kind text } } }'),
      patients(nhsNumber),
    );
    expect(result.data?.['_entities']).toEqual([
      { nhsNumber, allergies: { active: { items: [], emptyReason: { kind, text } } } },
    ]);
  });
});

describe('GP Connect errors', () => {
  it.each([
    ['9658220169', 'FORBIDDEN', 'NO_PATIENT_CONSENT'],
    ['5900046192', 'FORBIDDEN', 'NO_RELATIONSHIP'],
    ['9999999999', 'NOT_FOUND', 'PATIENT_NOT_FOUND'],
    ['9000000025', 'NOT_FOUND', 'PATIENT_NOT_FOUND'],
    // PDS serves 9000000015 although it fails Modulus 11; GP Connect refuses it.
    ['9000000015', 'UPSTREAM_REJECTED', 'INVALID_NHS_NUMBER'],
  ])('%s: each section asked is null with %s / %s', async (nhsNumber, code, upstreamCode) => {
    const result = await execute(
      entities('allergies { active { items { id } } } medications { items { id } }'),
      patients(nhsNumber),
    );
    expect(result.data?.['_entities']).toEqual([{ nhsNumber, allergies: null, medications: null }]);
    expect(codes(result)).toEqual([
      { code, service: 'GP Connect', upstreamCode },
      { code, service: 'GP Connect', upstreamCode },
    ]);
    // One call for both sections, and the refusal is audited.
    expect(await counts()).toEqual({ [STRUCTURED]: 1 });
    expect(auditStore.records.filter((r) => r.service === 'GP Connect').at(-1)).toMatchObject({
      nhsNumber,
      outcome: code === 'NOT_FOUND' ? 'not-found' : 'error',
      detail: code,
    });
    // GP Connect's refusal is not the graph's: no field is recorded as denied by a rule.
    expect(auditStore.records.filter((r) => r.nhsNumber === nhsNumber && r.outcome === 'denied')).toEqual([]);
  });

  it('answers the patients GP Connect answered when it refuses another in the same query', async () => {
    const result = await execute(
      entities('allergies { active { items { id } } }'),
      patients('9000000033', '9658220169'),
    );
    expect(result.data?.['_entities']).toEqual([
      { nhsNumber: '9000000033', allergies: { active: { items: [] } } },
      { nhsNumber: '9658220169', allergies: null },
    ]);
  });

  it('is UPSTREAM_UNAVAILABLE when GP Connect keeps failing, after bounded retries of the read', async () => {
    await fetch(`${sandbox.url}/_sandbox/faults/gpconnect`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ failNext: 3, retryAfterSeconds: 0 }),
    });
    const result = await execute(entities('allergies { active { items { id } } }'), patients('9000000009'));
    expect(codes(result)).toEqual([expect.objectContaining({ code: 'UPSTREAM_UNAVAILABLE' })]);
    expect(await counts()).toEqual({ [STRUCTURED]: 3 });
    await fetch(`${sandbox.url}/_sandbox/faults/gpconnect`, {
      method: 'PUT',
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
  });
});

describe('appointments', () => {
  // A Monday far enough ahead that its slots are in the future whenever the tests run.
  const monday = (() => {
    const day = new Date(Date.now() + 30 * 86_400_000);
    day.setUTCDate(day.getUTCDate() + ((8 - day.getUTCDay()) % 7));
    return day.toISOString().slice(0, 10);
  })();
  const SLOTS = `query($from: DateTime!, $to: DateTime!) { freeSlots(from: $from, to: $to) { id start end serviceType locationName provenance { source } } }`;
  const BOOKING = `mutation($input: BookAppointmentInput!) { bookAppointment(input: $input) { id status start description nhsNumber } }`;
  const CANCELLING = `mutation($input: CancelAppointmentInput!) { cancelAppointment(input: $input) { id status cancellationReason } }`;
  const key = () => randomUUID();

  async function freeSlot(n: number): Promise<{ id: string; start: string }> {
    const result = await execute(SLOTS, { from: `${monday}T00:00:00+00:00`, to: `${monday}T23:59:00+00:00` });
    const slots = result.data?.['freeSlots'] as Array<{ id: string; start: string }>;
    return slots[n]!;
  }

  it('searches free slots in a bounded range', async () => {
    const result = await execute(SLOTS, { from: `${monday}T00:00:00+00:00`, to: `${monday}T23:59:00+00:00` });
    expect(result.errors).toBeUndefined();
    const slots = result.data?.['freeSlots'] as Array<Record<string, unknown>>;
    expect(slots).toHaveLength(18);
    expect(slots[0]).toMatchObject({
      start: `${monday}T09:00:00+00:00`,
      serviceType: 'General GP Appointment',
      locationName: 'The Trevelyan Practice',
      provenance: { source: 'GP Connect' },
    });
    const tooWide = await execute(SLOTS, {
      from: `${monday}T00:00:00+00:00`,
      to: '2099-01-01T00:00:00+00:00',
    });
    expect(codes(tooWide)).toEqual([{ code: 'BAD_USER_INPUT', argument: 'to' }]);
  });

  it('books once per idempotency key, and refuses the key with other input', async () => {
    const slot = await freeSlot(2);
    const input = {
      nhsNumber: '9000000009',
      slotId: slot.id,
      reason: 'Blood pressure review',
      idempotencyKey: key(),
    };
    const first = await execute(BOOKING, { input });
    expect(first.errors).toBeUndefined();
    const booked = first.data?.['bookAppointment'];
    expect(booked).toMatchObject({
      status: 'booked',
      start: slot.start,
      description: 'Blood pressure review',
    });
    const again = await execute(BOOKING, { input });
    expect(again.data?.['bookAppointment']).toEqual(booked);
    const other = await execute(BOOKING, { input: { ...input, reason: 'Something else' } });
    expect(codes(other)).toEqual([expect.objectContaining({ code: 'IDEMPOTENCY_KEY_REUSED' })]);
    expect((await counts())[BOOK]).toBe(1);
    // The slot is taken: a new booking of it is CONFLICT.
    const taken = await execute(BOOKING, {
      input: { ...input, nhsNumber: '9000000017', idempotencyKey: key() },
    });
    expect(codes(taken)).toEqual([
      { code: 'CONFLICT', service: 'GP Connect', upstreamCode: 'DUPLICATE_REJECTED' },
    ]);
  });

  it('audits the booking before it is sent and once GP Connect accepted it, under one request id', async () => {
    const slot = await freeSlot(12);
    const before = auditStore.records.length;
    await execute(BOOKING, {
      input: { nhsNumber: '9000000033', slotId: slot.id, reason: 'Review', idempotencyKey: key() },
    });
    const writes = auditStore.records
      .slice(before)
      .filter((r) => r.service === 'GP Connect' && r.outcome.startsWith('writ'));
    expect(writes.map((r) => [r.nhsNumber, r.resourceTypes, r.outcome])).toEqual([
      ['9000000033', ['Appointment'], 'write-requested'],
      ['9000000033', ['Appointment'], 'written'],
    ]);
    expect(writes[0]?.detail).toBe(writes[1]?.detail);
  });

  // Two subgraph replicas, each with its own store: only Redis makes them share the key.
  (process.env['REDIS_URL'] ? it : it.skip)('books once across two replicas sharing Redis', async () => {
    const config = loadSubgraphConfig(careRecord, {
      GPCONNECT_BASE_URL: `${sandbox.url}/gpconnect`,
      REDIS_URL: process.env['REDIS_URL'],
      REDIS_KEY_PREFIX: `nhs-graph-test-${randomUUID()}:`,
    });
    const replicas = [createIdempotencyStore(config, logger), createIdempotencyStore(config, logger)];
    try {
      const slot = await freeSlot(14);
      const input = { nhsNumber: '9000000009', slotId: slot.id, reason: 'Replicas', idempotencyKey: key() };
      const answers = await Promise.all(
        replicas.map(async (store) => {
          const definition = createCareRecordSubgraph(
            createUpstreamClient(config.upstreams.gpconnect, logger),
            { baseUrl: config.upstreams.gpconnect.baseUrl, consumer: config.settings },
            store,
          );
          const server = createSubgraphServer(definition, logger);
          await server.start();
          const response = await server.executeOperation(
            { query: BOOKING, variables: { input } },
            { contextValue: definition.createContext(requestScope(clinician(), auditStore)) },
          );
          await server.stop();
          return response.body.kind === 'single' ? response.body.singleResult : null;
        }),
      );
      // One replica booked; the other waited for it and answered the same booking.
      expect(answers.map((a) => a?.errors)).toEqual([undefined, undefined]);
      expect(answers[0]?.data).toMatchObject({ bookAppointment: { status: 'booked', start: slot.start } });
      expect(answers[1]?.data).toEqual(answers[0]?.data);
      expect((await counts())[BOOK]).toBe(1);
    } finally {
      await Promise.all(replicas.map((store) => store.close()));
    }
  });

  it('after a lost response, the repeat finds the booking the first attempt made', async () => {
    const slot = await freeSlot(4);
    const input = {
      nhsNumber: '9000000009',
      slotId: slot.id,
      reason: 'Lost response',
      idempotencyKey: key(),
    };
    await fetch(`${sandbox.url}/_sandbox/faults/gpconnect`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        failNext: 1,
        failKind: 'lostResponse',
        methods: ['POST'],
        retryAfterSeconds: 0,
      }),
    });
    const lost = await execute(BOOKING, { input });
    expect(codes(lost)).toEqual([expect.objectContaining({ code: 'UPSTREAM_UNAVAILABLE' })]);
    const repeat = await execute(BOOKING, { input });
    expect(repeat.errors).toBeUndefined();
    expect(repeat.data?.['bookAppointment']).toMatchObject({ status: 'booked', start: slot.start });
    const listed = await execute(
      entities(`appointments(from: "${monday}", to: "${monday}") { start status }`),
      patients('9000000009'),
    );
    const appointments = (listed.data?.['_entities'] as Array<{ appointments: Array<{ start: string }> }>)[0]!
      .appointments;
    expect(appointments.filter((a) => a.start === slot.start)).toHaveLength(1);
  });

  it('lists, then cancels once per key; a cancelled appointment is answered as it is', async () => {
    const slot = await freeSlot(6);
    const booked = await execute(BOOKING, {
      input: { nhsNumber: '9000000017', slotId: slot.id, reason: 'Review', idempotencyKey: key() },
    });
    const id = (booked.data?.['bookAppointment'] as { id: string }).id;
    const listed = await execute(
      entities(`appointments(from: "${monday}", to: "${monday}") { id status }`),
      patients('9000000017'),
    );
    expect(listed.data?.['_entities']).toEqual([
      { nhsNumber: '9000000017', appointments: [{ id, status: 'booked' }] },
    ]);
    const input = {
      nhsNumber: '9000000017',
      appointmentId: id,
      reason: 'Feeling better',
      idempotencyKey: key(),
    };
    const cancelled = await execute(CANCELLING, { input });
    expect(cancelled.data?.['cancelAppointment']).toEqual({
      id,
      status: 'cancelled',
      cancellationReason: 'Feeling better',
    });
    await execute(CANCELLING, { input });
    await execute(CANCELLING, { input: { ...input, idempotencyKey: key() } });
    expect((await counts())[CANCEL]).toBe(1);
    // The slot is free again.
    expect((await freeSlot(6)).id).toBe(slot.id);
  });

  it('never cancels another patient’s appointment by its id', async () => {
    const slot = await freeSlot(8);
    const booked = await execute(BOOKING, {
      input: { nhsNumber: '9000000009', slotId: slot.id, reason: 'Review', idempotencyKey: key() },
    });
    const id = (booked.data?.['bookAppointment'] as { id: string }).id;
    const result = await execute(CANCELLING, {
      input: { nhsNumber: '9000000017', appointmentId: id, reason: 'Mistake', idempotencyKey: key() },
    });
    expect(codes(result)).toEqual([{ code: 'NOT_FOUND', service: 'GP Connect' }]);
    expect((await counts())[CANCEL]).toBeUndefined();
  });

  it.each([
    [{ slotId: 'not-a-slot' }, 'slotId'],
    [{ reason: '   ' }, 'reason'],
    [{ idempotencyKey: 'short' }, 'idempotencyKey'],
  ])(
    'refuses bad input %j with BAD_USER_INPUT naming it, before GP Connect is called',
    async (change, argument) => {
      const slot = await freeSlot(10);
      await resetSandbox(sandbox.url);
      const result = await execute(BOOKING, {
        input: {
          nhsNumber: '9000000009',
          slotId: slot.id,
          reason: 'Review',
          idempotencyKey: key(),
          ...change,
        },
      });
      expect(codes(result)).toEqual([expect.objectContaining({ code: 'BAD_USER_INPUT', argument })]);
      expect(await counts()).toEqual({});
    },
  );
});

describe('hostile keys, ids and claims never reach GP Connect', () => {
  const gpCalls = async () =>
    (await sandboxRequests(sandbox.url)).log.filter((e) => e.upstream === 'gpconnect');
  const CANCEL_MUTATION = `mutation($input: CancelAppointmentInput!) { cancelAppointment(input: $input) { id } }`;

  it('answers a Patient key that is not 10 digits with NOT_FOUND', async () => {
    const hostile = ['../Patient/9000000017', '9000000009?_summary=count', '..', '', '9000000009\r\n'];
    const result = await execute(
      entities('allergies { active { items { id } } } appointments { id }'),
      patients(...hostile),
    );
    expect(result.data?.['_entities']).toEqual(hostile.map(() => null));
    expect(codes(result).map((e) => e?.['code'])).toEqual(hostile.map(() => 'NOT_FOUND'));
    expect(await gpCalls()).toEqual([]);
  });

  it.each(['..', '.', '../Appointment', 'a?b', 'x_y'])(
    'refuses appointmentId %j with BAD_USER_INPUT naming it',
    async (appointmentId) => {
      const result = await execute(CANCEL_MUTATION, {
        input: {
          nhsNumber: '9000000017',
          appointmentId,
          reason: 'No longer needed',
          idempotencyKey: randomUUID(),
        },
      });
      expect(codes(result)).toEqual([
        expect.objectContaining({ code: 'BAD_USER_INPUT', argument: 'appointmentId' }),
      ]);
      expect(await gpCalls()).toEqual([]);
    },
  );

  it.each([
    ['reason', { reason: 'Review\r\nX-Injected: 1' }],
    ['reason', { reason: 'Review\u2028of meds' }],
    ['comment', { comment: 'Wheelchair\u0000access' }],
    ['comment', { comment: 'Needs\tinterpreter' }],
  ])('refuses unprintable %s text in a booking with BAD_USER_INPUT naming it', async (argument, text) => {
    const slotId = Buffer.from(
      JSON.stringify({
        slotId: '1',
        start: '2030-01-01T09:00:00+00:00',
        end: '2030-01-01T09:10:00+00:00',
        locationId: '1',
      }),
    ).toString('base64url');
    const result = await execute(
      `mutation($input: BookAppointmentInput!) { bookAppointment(input: $input) { id } }`,
      { input: { nhsNumber: '9000000017', slotId, reason: 'Review', idempotencyKey: randomUUID(), ...text } },
    );
    expect(codes(result)).toEqual([expect.objectContaining({ code: 'BAD_USER_INPUT', argument })]);
    expect(await gpCalls()).toEqual([]);
  });

  it.each([
    ['an ODS code ".."', { orgCode: '..' }],
    ['an ODS code with CR/LF', { orgCode: 'A81001\r\nX-Injected: 1' }],
    ['a role id with CR/LF', { roleId: '555254240100\r\n' }],
  ])('refuses a caller whose claims carry %s with UNAUTHENTICATED', async (_what, claims) => {
    const result = await execute(THREE_SECTIONS, patients('9000000009'), { ...clinician(), ...claims });
    // One error per section asked; every one UNAUTHENTICATED.
    expect(new Set(codes(result).map((e) => e?.['code']))).toEqual(new Set(['UNAUTHENTICATED']));
    expect(await gpCalls()).toEqual([]);
  });
});

describe('configuration', () => {
  it('has sandbox defaults for who nhs-graph is to GP Connect, and refuses malformed values', () => {
    expect(loadSubgraphConfig(careRecord, {}).settings).toEqual({
      consumerAsid: '200000000115',
      providerAsid: '200000000116',
      providerOdsCode: 'B82617',
      consumerOrganisation: { odsCode: 'X26', name: 'nhs-graph', phone: '0300 303 5678' },
    });
    expect(() => loadSubgraphConfig(careRecord, { GPCONNECT_CONSUMER_ASID: 'asid-1' })).toThrow(ConfigError);
    expect(() => loadSubgraphConfig(careRecord, { GPCONNECT_PROVIDER_ODS_CODE: 'b82617' })).toThrow(
      ConfigError,
    );
  });
});
