// The organisations subgraph in-process (Apollo executeOperation) against the sandbox ODS over
// real HTTP: reads, search, entity resolution with batching and bounded concurrency, the
// `directory` cache tier across requests, and what happens when ODS misbehaves.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createCache, type Cache } from '../../platform/cache.js';
import { loadConfig } from '../../platform/config.js';
import { loadSubgraphConfig } from '../../platform/manifest.js';
import { organisations } from './manifest.js';
import { createUpstreamClient } from '../../platform/http.js';
import { createLogger } from '../../platform/logger.js';
import type { Principal } from '../../platform/principal.js';
import { createSubgraphServer } from '../../platform/subgraph.js';
import { startSandbox, type Sandbox } from '../../sandbox/server.js';
import { clerk } from '../../test/principals.js';
import { resetSandbox, sandboxRequests } from '../../test/sandbox-client.js';
import { requestScope } from '../../test/scope.js';
import { createOrganisationsSubgraph } from './server.js';
import { ODS_CONCURRENCY } from './source.js';

const logger = createLogger('test', 'silent');
const caches: Cache[] = [];

/** A subgraph with a cold memory cache of its own, unless it is given one to share. */
function subgraphAgainst(odsBaseUrl: string, cache: Cache = createCache(loadConfig({}), logger)) {
  caches.push(cache);
  const config = loadSubgraphConfig(organisations, { ODS_BASE_URL: odsBaseUrl, ODS_TIMEOUT_MS: '2000' });
  const ods = createUpstreamClient(config.upstreams.ods, logger);
  const definition = createOrganisationsSubgraph(ods, cache.tier('daily'), config.upstreams.ods.baseUrl);
  const server = createSubgraphServer(definition, logger);
  // Every call is a new request: new context, new DataLoaders; only the cache tier is shared.
  const execute = async (
    query: string,
    variables?: Record<string, unknown>,
    principal: Principal = clerk(),
  ) => {
    const response = await server.executeOperation(
      { query, ...(variables ? { variables } : {}) },
      { contextValue: definition.createContext(requestScope(principal)) },
    );
    if (response.body.kind !== 'single') throw new Error('expected a single result');
    return response.body.singleResult;
  };
  return { server, execute, cache };
}

let sandbox: Sandbox;
let odsUrl: string;

beforeAll(async () => {
  sandbox = await startSandbox(0, { syntheticPatients: 0 });
  odsUrl = `${sandbox.url}/organisation-data-terminology-api/fhir`;
});

afterAll(async () => {
  await Promise.all(caches.map((cache) => cache.close()));
  await sandbox.close();
});

beforeEach(() => resetSandbox(sandbox.url));

const odsCalls = async () => (await sandboxRequests(sandbox.url)).log.filter((e) => e.upstream === 'ods');
const codes = (result: { errors?: ReadonlyArray<{ extensions?: Record<string, unknown> }> }) =>
  (result.errors ?? []).map((error) => error.extensions?.['code']);

const ORGANISATION = `{
  organisation(odsCode: "G81086") {
    odsCode name active lastChangeDate
    address { lines city district postcode country }
    roles { code display primary active period { start end } concept { code display mapped codings { system code } } }
    contact { system value }
    provenance { source retrievedAt stale }
  }
}`;

describe('organisation(odsCode)', () => {
  it('answers the ODS record, mapped to the canonical graph', async () => {
    const { execute } = subgraphAgainst(odsUrl);
    const result = await execute(ORGANISATION);
    expect(result.errors).toBeUndefined();
    expect(result.data?.['organisation']).toMatchObject({
      odsCode: 'G81086',
      name: 'BIRD-IN-EYE SURGERY',
      active: true,
      lastChangeDate: '2023-08-22',
      address: { city: 'UCKFIELD', postcode: 'TN22 5AW' },
      roles: [
        { code: 'RO177', display: 'PRESCRIBING COST CENTRE', primary: true, active: true },
        { code: 'RO76', display: 'GP PRACTICE', primary: false, period: { start: '2014-04-15', end: null } },
      ],
      contact: [{ system: 'PHONE', value: '01825 763196' }],
      provenance: { source: 'ODS', stale: false },
    });
    expect((await odsCalls()).map((call) => call.path)).toEqual([
      '/organisation-data-terminology-api/fhir/Organization/G81086',
    ]);
  });

  it.each(['g81086', 'G8', '83632648493', 'G81 086'])(
    'refuses %j with BAD_USER_INPUT naming odsCode, before calling ODS',
    async (odsCode) => {
      const { execute } = subgraphAgainst(odsUrl);
      const result = await execute(`query($c: String!) { organisation(odsCode: $c) { name } }`, {
        c: odsCode,
      });
      expect(result.data?.['organisation']).toBeNull();
      expect(result.errors?.map((e) => e.extensions)).toEqual([
        { code: 'BAD_USER_INPUT', argument: 'odsCode' },
      ]);
      expect(await odsCalls()).toEqual([]);
    },
  );

  it('answers null with NOT_FOUND (upstream HAPI-2001) for a code ODS does not hold', async () => {
    const { execute } = subgraphAgainst(odsUrl);
    const result = await execute(`{ organisation(odsCode: "X99999") { name } }`);
    expect(result.data?.['organisation']).toBeNull();
    expect(result.errors?.map((e) => e.extensions)).toEqual([
      { code: 'NOT_FOUND', service: 'ODS', upstreamCode: 'HAPI-2001' },
    ]);
  });

  it('reads relationships only when asked, and resolves their target organisation', async () => {
    const { execute } = subgraphAgainst(odsUrl);
    const result = await execute(`{
      organisation(odsCode: "G81086") {
        relationships { code display active targetOdsCode period { start end } target { odsCode name active } }
      }
    }`);
    expect(result.errors).toBeUndefined();
    expect(result.data?.['organisation']).toEqual({
      relationships: [
        {
          code: 'RE4',
          display: 'IS COMMISSIONED BY',
          active: false,
          targetOdsCode: '4VE03',
          period: { start: '1999-04-01', end: '2002-03-31' },
          target: { odsCode: '4VE03', name: 'HIGH WEALD PCG', active: false },
        },
      ],
    });
    expect((await sandboxRequests(sandbox.url)).counts).toEqual({
      'ods GET /Organization/{id}': 2,
      'ods GET /OrganizationAffiliation': 1,
    });
  });
});

describe('searchOrganisations', () => {
  it('searches ODS by role and name', async () => {
    const { execute } = subgraphAgainst(odsUrl);
    const result = await execute(`{ searchOrganisations(role: "RO76", name: "Sandbox") { odsCode name } }`);
    expect(result.errors).toBeUndefined();
    expect(result.data?.['searchOrganisations']).toEqual([
      { odsCode: 'A20047', name: 'SANDBOX HEALTH CENTRE (DERIVED)' },
      { odsCode: 'H81109', name: 'SANDBOX FAMILY SURGERY (DERIVED)' },
      { odsCode: 'Y12345', name: 'SANDBOX MEDICAL PRACTICE (DERIVED)' },
    ]);
    const calls = await odsCalls();
    expect(calls).toHaveLength(1);
    expect(calls[0]?.path).toContain('name=Sandbox&roleCode=RO76&_count=20');
  });

  it('needs no second read for an organisation the search already returned', async () => {
    const { execute } = subgraphAgainst(odsUrl);
    // TN22 finds G81086 and 4VE03; G81086 is commissioned by 4VE03.
    const result = await execute(
      `{ searchOrganisations(postcode: "TN22") { odsCode relationships { target { odsCode name } } } }`,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.['searchOrganisations']).toEqual([
      { odsCode: '4VE03', relationships: [] },
      { odsCode: 'G81086', relationships: [{ target: { odsCode: '4VE03', name: 'HIGH WEALD PCG' } }] },
    ]);
    expect((await sandboxRequests(sandbox.url)).counts).toEqual({
      'ods GET /Organization': 1,
      'ods GET /OrganizationAffiliation': 2,
    });
  });

  it.each([
    ['no criteria', `{ searchOrganisations { odsCode } }`, undefined],
    ['a two-letter name', `{ searchOrganisations(name: "Le") { odsCode } }`, 'name'],
    ['a role that is not an ODS role code', `{ searchOrganisations(role: "GP") { odsCode } }`, 'role'],
    ['a limit over 100', `{ searchOrganisations(role: "RO76", limit: 500) { odsCode } }`, 'limit'],
  ])('refuses %s with BAD_USER_INPUT, before calling ODS', async (_case, query, argument) => {
    const { execute } = subgraphAgainst(odsUrl);
    const result = await execute(query);
    expect(result.errors?.map((e) => e.extensions)).toEqual([
      { code: 'BAD_USER_INPUT', ...(argument ? { argument } : {}) },
    ]);
    expect(await odsCalls()).toEqual([]);
  });
});

describe('_entities (Organisation @key odsCode): batching', () => {
  const ENTITIES = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Organisation { odsCode name } } }`;

  it('resolves 50 references to 3 practices with 3 ODS calls, in key order', async () => {
    const { execute } = subgraphAgainst(odsUrl);
    const practices = ['Y12345', 'A20047', 'G81086'];
    const representations = Array.from({ length: 50 }, (_, i) => ({
      __typename: 'Organisation',
      odsCode: practices[i % 3],
    }));
    const result = await execute(ENTITIES, { r: representations });
    expect(result.errors).toBeUndefined();
    const entities = result.data?.['_entities'] as Array<{ odsCode: string; name: string }>;
    expect(entities.map((entity) => entity.odsCode)).toEqual(representations.map((r) => r.odsCode));
    expect(entities[2]).toEqual({ odsCode: 'G81086', name: 'BIRD-IN-EYE SURGERY' });
    expect((await odsCalls()).map((call) => call.path).sort()).toEqual(
      practices.map((code) => `/organisation-data-terminology-api/fhir/Organization/${code}`).sort(),
    );
  });

  it('keeps order and answers the rest when one reference is unknown', async () => {
    const { execute } = subgraphAgainst(odsUrl);
    const result = await execute(ENTITIES, {
      r: [
        { __typename: 'Organisation', odsCode: 'X99999' },
        { __typename: 'Organisation', odsCode: 'Q72' },
      ],
    });
    expect(result.data?.['_entities']).toEqual([null, { odsCode: 'Q72', name: expect.any(String) }]);
    expect(codes(result)).toEqual(['NOT_FOUND']);
    expect(result.errors?.[0]?.path).toEqual(['_entities', 0]);
  });

  it('answers a key that is not an ODS code (e.g. a CIS2 role claim "..") with NOT_FOUND, calling ODS for none', async () => {
    const { execute } = subgraphAgainst(odsUrl);
    const hostile = [
      '..',
      '.',
      '',
      '../Organization/G81086',
      'G81086?_summary=count',
      'G81086\r\n',
      'g81086',
    ];
    const result = await execute(ENTITIES, {
      r: hostile.map((odsCode) => ({ __typename: 'Organisation', odsCode })),
    });
    expect(result.data?.['_entities']).toEqual(hostile.map(() => null));
    expect(codes(result)).toEqual(hostile.map(() => 'NOT_FOUND'));
    expect(await odsCalls()).toEqual([]);
  });
});

describe('the directory cache tier', () => {
  it('serves a second request for the same organisation without calling ODS', async () => {
    const { execute } = subgraphAgainst(odsUrl);
    const first = await execute(`{ organisation(odsCode: "Q72") { name provenance { retrievedAt } } }`);
    expect(await odsCalls()).toHaveLength(1);
    await resetSandbox(sandbox.url);
    const second = await execute(
      `{ organisation(odsCode: "Q72") { name provenance { retrievedAt stale } } }`,
    );
    expect(second.errors).toBeUndefined();
    expect(await odsCalls()).toHaveLength(0);
    // Provenance says when ODS was read, not when the cache answered.
    expect(second.data).toEqual({
      organisation: {
        name: 'NHS ENGLAND NORTH EAST AND YORKSHIRE (YORKSHIRE AND HUMBER)',
        provenance: { ...(first.data?.['organisation'] as { provenance: object }).provenance, stale: false },
      },
    });
  });

  it('is shared by every subgraph instance given the same cache, and by relationships and searches', async () => {
    const cache = createCache(loadConfig({}), logger);
    const a = subgraphAgainst(odsUrl, cache);
    const b = subgraphAgainst(odsUrl, cache);
    const query = `{ organisation(odsCode: "FDC49") { name relationships { code } } searchOrganisations(name: "Atos") { odsCode } }`;
    await a.execute(query);
    expect(await odsCalls()).toHaveLength(3);
    await resetSandbox(sandbox.url);
    const result = await b.execute(query);
    expect(result.errors).toBeUndefined();
    expect(await odsCalls()).toHaveLength(0);
  });

  it('does not cache an error: a later request asks ODS again', async () => {
    const { execute } = subgraphAgainst(odsUrl);
    await execute(`{ organisation(odsCode: "X99999") { name } }`);
    await execute(`{ organisation(odsCode: "X99999") { name } }`);
    expect(await odsCalls()).toHaveLength(2);
  });
});

describe('when ODS sends something unexpected', () => {
  let fakeOds: Server;
  let fakeUrl: string;
  let reply: (path: string) => {
    status: number;
    body: string;
    headers?: Record<string, string>;
    delayMs?: number;
  };
  let calls: string[];
  let inFlight = 0;
  let maxInFlight = 0;

  beforeAll(async () => {
    // A stand-in at the network boundary that answers whatever the test sets.
    fakeOds = createServer((req, res) => {
      const answer = reply(req.url ?? '/');
      calls.push(req.url ?? '/');
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      setTimeout(() => {
        inFlight -= 1;
        res
          .writeHead(answer.status, { 'content-type': 'application/fhir+json', ...answer.headers })
          .end(answer.body);
      }, answer.delayMs ?? 0);
    });
    await new Promise<void>((resolve) => fakeOds.listen(0, '127.0.0.1', resolve));
    fakeUrl = `http://127.0.0.1:${(fakeOds.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((resolve) => fakeOds.close(() => resolve())));

  beforeEach(() => {
    calls = [];
    maxInFlight = 0;
  });

  const organisationJson = (code: string) =>
    JSON.stringify({
      resourceType: 'Organization',
      id: code,
      identifier: [{ system: 'https://fhir.nhs.uk/Id/ods-organization-code', value: code }],
      name: `ORGANISATION ${code}`,
    });

  it.each([
    ['an Organization without a name', JSON.stringify({ resourceType: 'Organization', id: 'G81086' })],
    ['another resource type', JSON.stringify({ resourceType: 'Bundle', type: 'searchset' })],
    ['a body that is not JSON', '<html>502 Bad Gateway</html>'],
  ])('refuses %s with UPSTREAM_INVALID_RESPONSE, caches nothing', async (_case, body) => {
    reply = () => ({ status: 200, body });
    const { execute } = subgraphAgainst(fakeUrl);
    const result = await execute(`{ organisation(odsCode: "G81086") { name } }`);
    expect(result.data?.['organisation']).toBeNull();
    expect(codes(result)).toEqual(['UPSTREAM_INVALID_RESPONSE']);
    expect(JSON.stringify(result.errors)).not.toContain('502 Bad Gateway');
    await execute(`{ organisation(odsCode: "G81086") { name } }`);
    expect(calls).toHaveLength(2);
  });

  it('maps a 429 to RATE_LIMITED with the Retry-After seconds', async () => {
    reply = () => ({ status: 429, body: '', headers: { 'retry-after': '17' } });
    const { execute } = subgraphAgainst(fakeUrl);
    const result = await execute(`{ organisation(odsCode: "G81086") { name } }`);
    expect(result.errors?.map((e) => e.extensions)).toEqual([
      { code: 'RATE_LIMITED', service: 'ODS', retryAfter: 17 },
    ]);
  });

  it('maps a 503 to UPSTREAM_UNAVAILABLE without leaking its diagnostics', async () => {
    const body = JSON.stringify({
      resourceType: 'OperationOutcome',
      issue: [
        { severity: 'error', code: 'transient', diagnostics: 'hapi-node-3.internal refused connection' },
      ],
    });
    reply = () => ({ status: 503, body });
    const { execute } = subgraphAgainst(fakeUrl);
    const result = await execute(`{ organisation(odsCode: "G81086") { name } }`);
    expect(codes(result)).toEqual(['UPSTREAM_UNAVAILABLE']);
    expect(JSON.stringify(result.errors)).not.toContain('hapi-node-3');
  });

  it(`keeps at most ${ODS_CONCURRENCY} calls in flight for one request`, async () => {
    reply = (path) => ({ status: 200, body: organisationJson(path.split('/').pop() ?? ''), delayMs: 30 });
    const { execute } = subgraphAgainst(fakeUrl);
    const representations = Array.from({ length: 30 }, (_, i) => ({
      __typename: 'Organisation',
      odsCode: `A${String(i).padStart(5, '0')}`,
    }));
    const result = await execute(
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on Organisation { odsCode } } }`,
      { r: representations },
    );
    expect(result.errors).toBeUndefined();
    expect(calls).toHaveLength(30);
    expect(maxInFlight).toBe(ODS_CONCURRENCY);
  });

  it('answers UPSTREAM_UNAVAILABLE when ODS cannot be reached', async () => {
    const { execute } = subgraphAgainst('http://127.0.0.1:1');
    const result = await execute(`{ organisation(odsCode: "G81086") { name } }`);
    expect(codes(result)).toEqual(['UPSTREAM_UNAVAILABLE']);
  });
});
