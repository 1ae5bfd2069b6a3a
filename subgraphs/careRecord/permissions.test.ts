// Who may read a GP record and book appointments, run through the real shield middleware and the
// sandbox GP Connect.
import { randomUUID } from 'node:crypto';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { fieldsWithoutRule } from '../../platform/authorisation.js';
import { loadSubgraphConfig } from '../../platform/manifest.js';
import { careRecord } from './manifest.js';
import { createUpstreamClient } from '../../platform/http.js';
import { createMemoryIdempotencyStore } from '../../platform/idempotency.js';
import { createLogger } from '../../platform/logger.js';
import type { Principal } from '../../platform/principal.js';
import { PartnerScope } from '../../platform/rbac.js';
import { createSubgraphServer } from '../../platform/subgraph.js';
import { startSandbox, type Sandbox } from '../../sandbox/server.js';
import { citizen, clerk, clinician, partner, staffWithoutActivities } from '../../test/principals.js';
import { resetSandbox, upstreamCalls } from '../../test/sandbox-client.js';
import { requestScope } from '../../test/scope.js';
import { rules } from './permissions.js';
import { createCareRecordSubgraph, resolvers, typeDefs } from './server.js';

const logger = createLogger('test', 'silent');
let sandbox: Sandbox;
let execute: (query: string, principal: Principal, variables?: Record<string, unknown>) => Promise<Result>;

interface Result {
  data?: Record<string, unknown> | null;
  errors?: ReadonlyArray<{ path?: ReadonlyArray<string | number>; extensions?: Record<string, unknown> }>;
}

/** A practice receptionist: patient administration (B0560) but no clinical activity. */
const receptionist = (): Principal => ({ ...clerk(), activities: ['B0560', 'B0825'] });

beforeAll(async () => {
  sandbox = await startSandbox(0, { syntheticPatients: 0 });
  const config = loadSubgraphConfig(careRecord, { GPCONNECT_BASE_URL: `${sandbox.url}/gpconnect` });
  const definition = createCareRecordSubgraph(
    createUpstreamClient(config.upstreams.gpconnect, logger),
    { baseUrl: config.upstreams.gpconnect.baseUrl, consumer: config.settings },
    createMemoryIdempotencyStore({ ttlSeconds: 60 }, logger),
  );
  const server = createSubgraphServer(definition, logger);
  await server.start();
  execute = async (query, principal, variables) => {
    const response = await server.executeOperation(
      { query, ...(variables ? { variables } : {}) },
      { contextValue: definition.createContext(requestScope(principal)) },
    );
    if (response.body.kind !== 'single') throw new Error('expected a single result');
    return response.body.singleResult;
  };
});

afterAll(() => sandbox.close());
beforeEach(() => resetSandbox(sandbox.url));

const forbiddenPaths = (result: Result) =>
  (result.errors ?? []).filter((e) => e.extensions?.['code'] === 'FORBIDDEN').map((e) => e.path?.join('.'));

describe('rule coverage', () => {
  it('has an explicit rule for every type and field of the careRecord schema', () => {
    const schema = buildSubgraphSchema({ typeDefs, resolvers: resolvers as never });
    expect(fieldsWithoutRule(schema, rules)).toEqual([]);
  });
});

const RECORD = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Patient { nhsNumber allergies { active { items { id } } } } } }`;
const patient = (nhsNumber = '9000000009') => ({ r: [{ __typename: 'Patient', nhsNumber }] });

describe('the GP record (_entities under the shield)', () => {
  it.each<[string, () => Principal]>([
    ['a clinician', clinician],
    ['the patient themself at P9', () => citizen('9000000009', 'P9')],
    ['a partner with patient:care-record.read', () => partner([PartnerScope.CARE_RECORD_READ])],
  ])('%s may read it: __resolveReference runs under the shield', async (_who, principal) => {
    const result = await execute(RECORD, principal(), patient());
    expect(result.errors).toBeUndefined();
    expect(result.data?.['_entities']).toEqual([
      { nhsNumber: '9000000009', allergies: { active: { items: expect.any(Array) } } },
    ]);
  });

  it.each<[string, () => Principal]>([
    ['a clerk (no clinical activity)', clerk],
    ['a receptionist (patient administration only)', receptionist],
    ['staff whose role opens nothing', staffWithoutActivities],
    ['the patient at P5', () => citizen('9000000009', 'P5')],
    ['another patient at P9', () => citizen('9000000017', 'P9')],
    ['a partner with appointments scopes only', () => partner([PartnerScope.APPOINTMENTS_READ])],
  ])('%s is refused with FORBIDDEN before GP Connect is called', async (_who, principal) => {
    const result = await execute(RECORD, principal(), patient());
    expect(result.data?.['_entities']).toEqual([{ nhsNumber: '9000000009', allergies: null }]);
    expect(forbiddenPaths(result)).toEqual(['_entities.0.allergies']);
    expect(await upstreamCalls(sandbox.url, 'gpconnect')).toBe(0);
  });
});

describe('appointments', () => {
  const LIST = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Patient { appointments { id } } } }`;
  const SLOTS = `{ freeSlots(from: "2030-01-07T00:00:00+00:00", to: "2030-01-08T00:00:00+00:00") { start } }`;
  const BOOK = `mutation($input: BookAppointmentInput!) { bookAppointment(input: $input) { id status } }`;
  const bookFor = (nhsNumber: string, slotId = 'x') => ({
    input: { nhsNumber, slotId, reason: 'Review', idempotencyKey: randomUUID() },
  });

  it.each<[string, () => Principal]>([
    ['a clinician', clinician],
    ['a receptionist', receptionist],
    ['the patient at P9', () => citizen('9000000009', 'P9')],
    ['a partner with patient:appointments.read', () => partner([PartnerScope.APPOINTMENTS_READ])],
  ])('%s may list the patient’s appointments and search free slots', async (_who, principal) => {
    const listed = await execute(LIST, principal(), patient());
    expect(listed.errors).toBeUndefined();
    const slots = await execute(SLOTS, principal());
    expect(slots.errors).toBeUndefined();
  });

  it.each<[string, () => Principal]>([
    ['a clerk without patient administration', clerk],
    ['another patient', () => citizen('9000000017', 'P9')],
    ['the patient at P5', () => citizen('9000000009', 'P5')],
    ['a partner with care-record scope only', () => partner([PartnerScope.CARE_RECORD_READ])],
  ])('%s may not list them', async (_who, principal) => {
    const listed = await execute(LIST, principal(), patient());
    expect(forbiddenPaths(listed)).toEqual(['_entities.0.appointments']);
    expect(await upstreamCalls(sandbox.url, 'gpconnect')).toBe(0);
  });

  it.each<[string, () => Principal]>([
    ['a clinician', clinician],
    ['a receptionist', receptionist],
    ['the patient for themself at P9', () => citizen('9000000009', 'P9')],
    [
      'a partner with patient:appointments.write',
      () => partner([PartnerScope.APPOINTMENTS_WRITE, PartnerScope.APPOINTMENTS_READ]),
    ],
  ])('%s may book (here refused only for the made-up slot id)', async (_who, principal) => {
    const result = await execute(BOOK, principal(), bookFor('9000000009'));
    expect(result.errors?.map((e) => e.extensions?.['code'])).toEqual(['BAD_USER_INPUT']);
  });

  it.each<[string, () => Principal]>([
    ['a clerk without patient administration', clerk],
    ['a citizen for someone else', () => citizen('9000000017', 'P9')],
    ['the patient at P5', () => citizen('9000000009', 'P5')],
    ['a partner with read scope only', () => partner([PartnerScope.APPOINTMENTS_READ])],
  ])('%s may not book', async (_who, principal) => {
    const result = await execute(BOOK, principal(), bookFor('9000000009'));
    expect(forbiddenPaths(result)).toEqual(['bookAppointment']);
    expect(await upstreamCalls(sandbox.url, 'gpconnect')).toBe(0);
  });
});
