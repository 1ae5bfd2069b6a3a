// Who may read what, run through the real shield middleware and the sandbox PDS.
import { buildSubgraphSchema } from '@apollo/subgraph';
import { fieldsWithoutRule } from '../../platform/authorisation.js';
import { loadSubgraphConfig } from '../../platform/manifest.js';
import { demographics } from './manifest.js';
import { createUpstreamClient } from '../../platform/http.js';
import { createLogger } from '../../platform/logger.js';
import type { Principal } from '../../platform/principal.js';
import { PartnerScope } from '../../platform/rbac.js';
import { createSubgraphServer } from '../../platform/subgraph.js';
import { startSandbox, type Sandbox } from '../../sandbox/server.js';
import { citizen, clerk, clinician, partner, staffWithoutActivities } from '../../test/principals.js';
import { requestScope } from '../../test/scope.js';
import { resetSandbox, upstreamCalls } from '../../test/sandbox-client.js';
import { rules } from './permissions.js';
import { createDemographicsSubgraph, resolvers, typeDefs } from './server.js';

const logger = createLogger('test', 'silent');
let sandbox: Sandbox;
let execute: (query: string, principal: Principal, variables?: Record<string, unknown>) => Promise<Result>;

interface Result {
  data?: Record<string, unknown> | null;
  errors?: ReadonlyArray<{
    message: string;
    path?: ReadonlyArray<string | number>;
    extensions?: Record<string, unknown>;
  }>;
}

beforeAll(async () => {
  sandbox = await startSandbox(0, { syntheticPatients: 10 });
  const config = loadSubgraphConfig(demographics, {
    PDS_BASE_URL: `${sandbox.url}/personal-demographics/FHIR/R4`,
  });
  const definition = createDemographicsSubgraph(createUpstreamClient(config.upstreams.pds, logger));
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
  it('has an explicit rule for every type and field of the demographics schema', () => {
    const schema = buildSubgraphSchema({ typeDefs, resolvers: resolvers as never });
    expect(fieldsWithoutRule(schema, rules)).toEqual([]);
    expect(Object.keys(rules).length).toBeGreaterThan(3);
  });
});

const OWN = '9000000009';
const PATIENT_QUERY = `{ patient(nhsNumber: "${OWN}") { nhsNumber name { text } address { postcode } telecom { value } registeredGp { odsCode } } }`;

describe('patient(nhsNumber): principal x field', () => {
  it.each<[string, string[], () => Principal]>([
    ['a clinician', [], clinician],
    ['a clerk with a demographics activity', [], clerk],
    ['a citizen reading their own record at P9', [], () => citizen(OWN, 'P9')],
    ['a citizen reading their own record at P5', [], () => citizen(OWN, 'P5')],
    [
      'a partner with demographics and contact scopes',
      [],
      () =>
        partner([PartnerScope.DEMOGRAPHICS_READ, PartnerScope.CONTACT_READ, PartnerScope.ORGANISATION_READ]),
    ],
    [
      'a partner with the demographics scope only',
      ['patient.address', 'patient.telecom', 'patient.registeredGp'],
      () => partner([PartnerScope.DEMOGRAPHICS_READ]),
    ],
  ])('%s: denied fields %j, the rest answers', async (_who, denied, principal) => {
    const result = await execute(PATIENT_QUERY, principal());
    expect(forbiddenPaths(result).sort()).toEqual([...denied].sort());
    expect(result.data?.['patient']).toMatchObject({ nhsNumber: OWN, name: { text: 'Mrs Jane Smith MBE' } });
  });

  it.each<[string, () => Principal]>([
    ['staff whose role has no demographics activity', staffWithoutActivities],
    ['a citizen asking for someone else', () => citizen('9000000017', 'P9')],
    ['a citizen proofed only to P0', () => citizen(OWN, 'P0')],
    ['a partner with no scopes', () => partner([])],
  ])('%s is refused with FORBIDDEN before PDS is called', async (_who, principal) => {
    const result = await execute(PATIENT_QUERY, principal());
    expect(result.data?.['patient']).toBeNull();
    expect(forbiddenPaths(result)).toEqual(['patient']);
    expect(await upstreamCalls(sandbox.url, 'pds')).toBe(0);
  });

  it('lets a citizen reach their record by a number it superseded', async () => {
    const result = await execute(
      `{ patient(nhsNumber: "5900053636") { nhsNumber supersededNhsNumbers } }`,
      citizen('5900053636'),
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.['patient']).toEqual({ nhsNumber: OWN, supersededNhsNumbers: ['5900053636'] });
  });

  it('says nothing about the data in a denial', async () => {
    const result = await execute(PATIENT_QUERY, citizen('9000000017'));
    expect(result.errors?.[0]?.message).toBe('You are not allowed to see this field.');
    expect(JSON.stringify(result.errors)).not.toMatch(/Smith|9000000009|restricted/i);
  });
});

describe('searchPatients', () => {
  const SEARCH = `{ searchPatients(criteria: { family: "Smith", gender: FEMALE, birthDate: "2010-10-22" }) { score patient { nhsNumber } } }`;

  it.each<[string, boolean, () => Principal]>([
    ['a clerk', true, clerk],
    [
      'a partner with the search and demographics scopes',
      true,
      () => partner([PartnerScope.DEMOGRAPHICS_SEARCH, PartnerScope.DEMOGRAPHICS_READ]),
    ],
    ['a citizen', false, () => citizen(OWN)],
    ['a partner without the search scope', false, () => partner([PartnerScope.DEMOGRAPHICS_READ])],
  ])('%s: allowed %p', async (_who, allowed, principal) => {
    const result = await execute(SEARCH, principal());
    expect(forbiddenPaths(result)).toEqual(allowed ? [] : ['searchPatients']);
  });
});

describe('_entities under the shield (Patient references from other subgraphs)', () => {
  const ENTITIES = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Patient { nhsNumber birthDate } } }`;
  const representations = { r: [{ __typename: 'Patient', nhsNumber: OWN }] };

  it('runs __resolveReference and answers an allowed caller', async () => {
    const result = await execute(ENTITIES, citizen(OWN), representations);
    expect(result.errors).toBeUndefined();
    expect(result.data?.['_entities']).toEqual([{ nhsNumber: OWN, birthDate: expect.any(String) }]);
    expect(await upstreamCalls(sandbox.url, 'pds')).toBe(1);
  });

  it('denies another citizen every Patient field, though the reference resolved', async () => {
    const result = await execute(ENTITIES, citizen('9000000017'), representations);
    expect(forbiddenPaths(result).sort()).toEqual(['_entities.0.birthDate', '_entities.0.nhsNumber']);
  });
});
