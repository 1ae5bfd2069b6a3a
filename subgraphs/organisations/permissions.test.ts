// Who may read organisation data, run through the real shield middleware and the sandbox ODS.
import { buildSubgraphSchema } from '@apollo/subgraph';
import { fieldsWithoutRule } from '../../platform/authorisation.js';
import { createCache } from '../../platform/cache.js';
import { loadConfig } from '../../platform/config.js';
import { loadSubgraphConfig } from '../../platform/manifest.js';
import { organisations } from './manifest.js';
import { createUpstreamClient } from '../../platform/http.js';
import { createLogger } from '../../platform/logger.js';
import type { Principal } from '../../platform/principal.js';
import { PartnerScope } from '../../platform/rbac.js';
import { createSubgraphServer } from '../../platform/subgraph.js';
import { startSandbox, type Sandbox } from '../../sandbox/server.js';
import { citizen, clerk, clinician, partner, staffWithoutActivities } from '../../test/principals.js';
import { resetSandbox, upstreamCalls } from '../../test/sandbox-client.js';
import { requestScope } from '../../test/scope.js';
import { rules } from './permissions.js';
import { createOrganisationsSubgraph, resolvers, typeDefs } from './server.js';

const logger = createLogger('test', 'silent');
const cache = createCache(loadConfig({}), logger);
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
  sandbox = await startSandbox(0, { syntheticPatients: 0 });
  const config = loadSubgraphConfig(organisations, {
    ODS_BASE_URL: `${sandbox.url}/organisation-data-terminology-api/fhir`,
  });
  const ods = createUpstreamClient(config.upstreams.ods, logger);
  // The `none` tier: every test reaches the sandbox, so "before ODS is called" means something.
  const definition = createOrganisationsSubgraph(ods, cache.tier('none'), config.upstreams.ods.baseUrl);
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

afterAll(async () => {
  await cache.close();
  await sandbox.close();
});
beforeEach(() => resetSandbox(sandbox.url));

const codesOf = (result: Result) => (result.errors ?? []).map((e) => e.extensions?.['code']);
const forbiddenPaths = (result: Result) =>
  (result.errors ?? []).filter((e) => e.extensions?.['code'] === 'FORBIDDEN').map((e) => e.path?.join('.'));

describe('rule coverage', () => {
  it('has an explicit rule for every type and field of the organisations schema', () => {
    const schema = buildSubgraphSchema({ typeDefs, resolvers: resolvers as never });
    expect(fieldsWithoutRule(schema, rules)).toEqual([]);
    expect(Object.keys(rules).length).toBeGreaterThan(3);
  });
});

const ORGANISATION = `{ organisation(odsCode: "G81086") { odsCode name roles { code primary } address { postcode } } }`;
const SEARCH = `{ searchOrganisations(role: "RO76") { odsCode } }`;

// Organisation data is a public directory, not personal data: no RBAC activity or proofing level.
const allowed: Array<[string, () => Principal]> = [
  ['a clinician', clinician],
  ['a clerk', clerk],
  ['staff whose role opens nothing else in the graph', staffWithoutActivities],
  ['a citizen at P9', () => citizen('9000000009', 'P9')],
  ['a citizen proofed only to P0', () => citizen('9000000009', 'P0')],
  ['a partner with organisation.read', () => partner([PartnerScope.ORGANISATION_READ])],
];
const denied: Array<[string, () => Principal]> = [
  ['a partner with no scopes', () => partner([])],
  ['a partner with demographics scopes only', () => partner([PartnerScope.DEMOGRAPHICS_READ])],
];

describe('organisation(odsCode) and searchOrganisations', () => {
  it.each(allowed)('%s may read them', async (_who, principal) => {
    const read = await execute(ORGANISATION, principal());
    expect(read.errors).toBeUndefined();
    expect(read.data?.['organisation']).toMatchObject({ odsCode: 'G81086', name: 'BIRD-IN-EYE SURGERY' });
    const search = await execute(SEARCH, principal());
    expect(search.errors).toBeUndefined();
  });

  it.each(denied)('%s is refused with FORBIDDEN before ODS is called', async (_who, principal) => {
    const read = await execute(ORGANISATION, principal());
    expect(read.data?.['organisation']).toBeNull();
    expect(forbiddenPaths(read)).toEqual(['organisation']);
    const search = await execute(SEARCH, principal());
    expect(forbiddenPaths(search)).toEqual(['searchOrganisations']);
    expect(await upstreamCalls(sandbox.url, 'ods')).toBe(0);
  });
});

describe('_entities under the shield (Organisation references, e.g. Patient.registeredGp)', () => {
  const ENTITIES = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Organisation { odsCode name } } }`;
  const representations = { r: [{ __typename: 'Organisation', odsCode: 'Y12345' }] };

  it('runs __resolveReference and answers an allowed caller', async () => {
    const result = await execute(ENTITIES, citizen('9000000009'), representations);
    expect(result.errors).toBeUndefined();
    expect(result.data?.['_entities']).toEqual([
      { odsCode: 'Y12345', name: 'SANDBOX MEDICAL PRACTICE (DERIVED)' },
    ]);
    expect(await upstreamCalls(sandbox.url, 'ods')).toBe(1);
  });

  it('denies a partner without organisation.read every Organisation field', async () => {
    const result = await execute(ENTITIES, partner([PartnerScope.DEMOGRAPHICS_READ]), representations);
    // odsCode is non-null, so its denial nulls the whole entity; nothing of it is shown.
    expect(forbiddenPaths(result)).toContain('_entities.0.odsCode');
    expect(codesOf(result).every((code) => code === 'FORBIDDEN')).toBe(true);
    expect(result.data?.['_entities']).toEqual([null]);
  });
});
