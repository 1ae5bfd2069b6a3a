// Who may read medicines, run through the real shield middleware and the sandbox dm+d.
import { buildSubgraphSchema } from '@apollo/subgraph';
import { fieldsWithoutRule } from '../../platform/authorisation.js';
import { createCache } from '../../platform/cache.js';
import { loadConfig } from '../../platform/config.js';
import { loadSubgraphConfig } from '../../platform/manifest.js';
import { medicines } from './manifest.js';
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
import { createMedicinesSubgraph, resolvers, typeDefs } from './server.js';

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
  const config = loadSubgraphConfig(medicines, { DMD_BASE_URL: `${sandbox.url}/terminology/fhir` });
  const dmd = createUpstreamClient(config.upstreams.dmd, logger);
  // The `none` tier: every test reaches the sandbox, so "before dm+d is called" means something.
  const definition = createMedicinesSubgraph(dmd, cache.tier('none'), config.upstreams.dmd.baseUrl);
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
  it('has an explicit rule for every type and field of the medicines schema', () => {
    const schema = buildSubgraphSchema({ typeDefs, resolvers: resolvers as never });
    expect(fieldsWithoutRule(schema, rules)).toEqual([]);
    expect(Object.keys(rules).length).toBeGreaterThan(3);
  });
});

const MEDICINE = `{ medicine(code: "318136009") { code name ingredients { substance { display } strength { text } } vtm { name } } }`;
const BY_CODING = `{ medicineByCoding(system: "http://snomed.info/sct", code: "323509004") { name } }`;
const SEARCH = `{ searchMedicines(name: "aspirin") { code } }`;

// dm+d is reference data, not personal data: no RBAC activity or proofing level is needed.
const allowed: Array<[string, () => Principal]> = [
  ['a clinician', clinician],
  ['a clerk', clerk],
  ['staff whose role opens nothing else in the graph', staffWithoutActivities],
  ['a citizen at P9', () => citizen('9000000009', 'P9')],
  ['a citizen proofed only to P0', () => citizen('9000000009', 'P0')],
  ['a partner with medicine.read', () => partner([PartnerScope.MEDICINE_READ])],
];
const denied: Array<[string, () => Principal]> = [
  ['a partner with no scopes', () => partner([])],
  [
    'a partner with other scopes only',
    () => partner([PartnerScope.ORGANISATION_READ, PartnerScope.CARE_RECORD_READ]),
  ],
];

describe('medicine, medicineByCoding and searchMedicines', () => {
  it.each(allowed)('%s may read them', async (_who, principal) => {
    const read = await execute(MEDICINE, principal());
    expect(read.errors).toBeUndefined();
    expect(read.data?.['medicine']).toMatchObject({
      code: '318136009',
      name: 'Co-amilofruse 5mg/40mg tablets',
      vtm: { name: 'Co-amilofruse' },
    });
    const byCoding = await execute(BY_CODING, principal());
    expect(byCoding.errors).toBeUndefined();
    const search = await execute(SEARCH, principal());
    expect(search.errors).toBeUndefined();
  });

  it.each(denied)('%s is refused with FORBIDDEN before dm+d is called', async (_who, principal) => {
    const read = await execute(MEDICINE, principal());
    expect(read.data?.['medicine']).toBeNull();
    expect(forbiddenPaths(read)).toEqual(['medicine']);
    expect(forbiddenPaths(await execute(BY_CODING, principal()))).toEqual(['medicineByCoding']);
    expect(forbiddenPaths(await execute(SEARCH, principal()))).toEqual(['searchMedicines']);
    expect(await upstreamCalls(sandbox.url, 'dmd')).toBe(0);
  });
});

describe('_entities under the shield (Medicine references, e.g. Medication.medicine)', () => {
  const ENTITIES = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Medicine { code name } } }`;
  const representations = { r: [{ __typename: 'Medicine', code: '323509004' }] };

  it('runs __resolveReference and answers an allowed caller', async () => {
    const result = await execute(ENTITIES, citizen('9000000009'), representations);
    expect(result.errors).toBeUndefined();
    expect(result.data?.['_entities']).toEqual([{ code: '323509004', name: 'Amoxicillin 250mg capsules' }]);
    expect(await upstreamCalls(sandbox.url, 'dmd')).toBe(1);
  });

  it('denies a partner without medicine.read every Medicine field', async () => {
    const result = await execute(ENTITIES, partner([PartnerScope.CARE_RECORD_READ]), representations);
    // code is non-null, so its denial nulls the whole entity; nothing of it is shown.
    expect(forbiddenPaths(result)).toContain('_entities.0.code');
    expect(codesOf(result).every((code) => code === 'FORBIDDEN')).toBe(true);
    expect(result.data?.['_entities']).toEqual([null]);
  });
});
