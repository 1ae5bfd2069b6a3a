// Who may read e-RS referrals, run through the real shield middleware and the sandbox e-RS.
import { buildSubgraphSchema } from '@apollo/subgraph';
import { fieldsWithoutRule } from '../../platform/authorisation.js';
import { createCache } from '../../platform/cache.js';
import { loadConfig } from '../../platform/config.js';
import { loadSubgraphConfig } from '../../platform/manifest.js';
import { referrals } from './manifest.js';
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
import { createReferralsSubgraph, resolvers, typeDefs } from './server.js';

const logger = createLogger('test', 'silent');
const cache = createCache(loadConfig({}), logger);
let sandbox: Sandbox;
let execute: (query: string, principal: Principal, variables?: Record<string, unknown>) => Promise<Result>;

interface Result {
  data?: Record<string, unknown> | null;
  errors?: ReadonlyArray<{ path?: ReadonlyArray<string | number>; extensions?: Record<string, unknown> }>;
}

beforeAll(async () => {
  sandbox = await startSandbox(0, { syntheticPatients: 0 });
  const config = loadSubgraphConfig(referrals, { ERS_BASE_URL: `${sandbox.url}/referrals/FHIR` });
  const ers = createUpstreamClient(config.upstreams.ers, logger);
  const definition = createReferralsSubgraph(ers, cache.tier('none'), config.upstreams.ers.baseUrl);
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

const forbiddenPaths = (result: Result) =>
  (result.errors ?? []).filter((e) => e.extensions?.['code'] === 'FORBIDDEN').map((e) => e.path?.join('.'));

describe('rule coverage', () => {
  it('has an explicit rule for every type and field of the referrals schema', () => {
    const schema = buildSubgraphSchema({ typeDefs, resolvers: resolvers as never });
    expect(fieldsWithoutRule(schema, rules)).toEqual([]);
    expect(Object.keys(rules).length).toBeGreaterThan(3);
  });
});

// 000000070001 belongs to sandbox patient 9000000009 (sandbox/fixtures/derived/ers-links.json).
const REFERRAL = `{ referral(ubrn: "000000070001") { ubrn nhsNumber status { display } } }`;

describe('referral(ubrn)', () => {
  it.each<[string, () => Principal]>([
    ['a clinician', clinician],
    ['the patient themself at P9', () => citizen('9000000009', 'P9')],
    ['a partner with patient:referrals.read', () => partner([PartnerScope.REFERRALS_READ])],
  ])('%s may read it', async (_who, principal) => {
    const result = await execute(REFERRAL, principal());
    expect(result.errors).toBeUndefined();
    expect(result.data?.['referral']).toEqual({
      ubrn: '000000070001',
      nhsNumber: '9000000009',
      status: { display: 'Booked' },
    });
  });

  it.each<[string, () => Principal]>([
    ['a clerk (no clinical activity)', clerk],
    ['staff whose role opens nothing', staffWithoutActivities],
    ['the patient at P5', () => citizen('9000000009', 'P5')],
    ['a partner with demographics scopes only', () => partner([PartnerScope.DEMOGRAPHICS_READ])],
  ])('%s is refused with FORBIDDEN before e-RS is called', async (_who, principal) => {
    const result = await execute(REFERRAL, principal());
    expect(result.data?.['referral']).toBeNull();
    expect(forbiddenPaths(result)).toEqual(['referral']);
    expect(await upstreamCalls(sandbox.url, 'ers')).toBe(0);
  });

  it("refuses another patient's referral to a P9 citizen, field by field", async () => {
    const result = await execute(REFERRAL, citizen('9000000017', 'P9'));
    // ubrn is non-null, so its denial nulls the referral; nothing of it is shown.
    expect(result.data?.['referral']).toBeNull();
    expect(forbiddenPaths(result)).toContain('referral.ubrn');
  });
});

describe('_entities under the shield', () => {
  const PATIENTS = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Patient { nhsNumber referrals { ubrn } } } }`;
  const patient = { r: [{ __typename: 'Patient', nhsNumber: '9000000009' }] };

  it('runs __resolveReference and answers a clinician with the patient’s referrals', async () => {
    const result = await execute(PATIENTS, clinician(), patient);
    expect(result.errors).toBeUndefined();
    expect(result.data?.['_entities']).toEqual([
      { nhsNumber: '9000000009', referrals: [{ ubrn: '000000070001' }, { ubrn: '000000070000' }] },
    ]);
  });

  it('denies a clerk the referrals and nothing else', async () => {
    const result = await execute(PATIENTS, clerk(), patient);
    expect(result.data?.['_entities']).toEqual([{ nhsNumber: '9000000009', referrals: null }]);
    expect(forbiddenPaths(result)).toEqual(['_entities.0.referrals']);
    expect(await upstreamCalls(sandbox.url, 'ers')).toBe(0);
  });

  it('answers a Referral reference for an allowed caller and denies a partner without the scope', async () => {
    const query = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Referral { ubrn priority { display } } } }`;
    const representations = { r: [{ __typename: 'Referral', ubrn: '000000070003' }] };
    const allowed = await execute(query, partner([PartnerScope.REFERRALS_READ]), representations);
    expect(allowed.errors).toBeUndefined();
    expect(allowed.data?.['_entities']).toEqual([{ ubrn: '000000070003', priority: { display: 'Urgent' } }]);
    const denied = await execute(query, partner([PartnerScope.DEMOGRAPHICS_READ]), representations);
    expect(denied.data?.['_entities']).toEqual([null]);
    expect(forbiddenPaths(denied)).toContain('_entities.0.ubrn');
  });
});
