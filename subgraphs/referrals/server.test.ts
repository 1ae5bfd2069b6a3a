// The referrals subgraph in-process (Apollo executeOperation) against the sandbox e-RS over real
// HTTP, and against a stand-in at the network boundary for what the sandbox never sends: the
// headers e-RS needs, worklist batching, the services cache and what it is keyed by, referrals
// never cached, the audit trail, and e-RS's errors.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createMemoryAuditStore } from '../../platform/audit/memory-store.js';
import { createCache, type Cache } from '../../platform/cache.js';
import { loadConfig } from '../../platform/config.js';
import { loadSubgraphConfig } from '../../platform/manifest.js';
import { referrals } from './manifest.js';
import { createUpstreamClient } from '../../platform/http.js';
import { createLogger } from '../../platform/logger.js';
import type { Principal } from '../../platform/principal.js';
import { createSubgraphServer } from '../../platform/subgraph.js';
import { startSandbox, type Sandbox } from '../../sandbox/server.js';
import { citizen, clinician } from '../../test/principals.js';
import { resetSandbox, sandboxRequests } from '../../test/sandbox-client.js';
import { requestScope } from '../../test/scope.js';
import { createReferralsSubgraph } from './server.js';
import { REFERRER_WORKLISTS } from './source.js';

const logger = createLogger('test', 'silent');
const caches: Cache[] = [];

function subgraphAgainst(ersBaseUrl: string, cache: Cache = createCache(loadConfig({}), logger)) {
  caches.push(cache);
  const config = loadSubgraphConfig(referrals, { ERS_BASE_URL: ersBaseUrl, ERS_TIMEOUT_MS: '2000' });
  const ers = createUpstreamClient(config.upstreams.ers, logger);
  const definition = createReferralsSubgraph(ers, cache.tier('minutes'), config.upstreams.ers.baseUrl);
  const server = createSubgraphServer(definition, logger);
  const auditStore = createMemoryAuditStore();
  const execute = async (
    query: string,
    principal: Principal = clinician(),
    variables?: Record<string, unknown>,
  ) => {
    const response = await server.executeOperation(
      { query, ...(variables ? { variables } : {}) },
      { contextValue: definition.createContext(requestScope(principal, auditStore)) },
    );
    if (response.body.kind !== 'single') throw new Error('expected a single result');
    return response.body.singleResult;
  };
  return { execute, auditStore };
}

let sandbox: Sandbox;
let ersUrl: string;

beforeAll(async () => {
  sandbox = await startSandbox(0, { syntheticPatients: 0 });
  ersUrl = `${sandbox.url}/referrals/FHIR`;
});
afterAll(async () => {
  await Promise.all(caches.map((cache) => cache.close()));
  await sandbox.close();
});
beforeEach(() => resetSandbox(sandbox.url));

const ersCounts = async () => (await sandboxRequests(sandbox.url)).counts;
const codes = (result: { errors?: ReadonlyArray<{ extensions?: Record<string, unknown> }> }) =>
  (result.errors ?? []).map((error) => error.extensions);

describe('referral(ubrn)', () => {
  it('answers the STU3 referral mapped to the canonical graph, with where its service is based', async () => {
    const { execute } = subgraphAgainst(ersUrl);
    const result = await execute(`{
      referral(ubrn: "000000070001") {
        ubrn nhsNumber status { code display mapped codings { system code } }
        priority { display } specialty { codings { system code } } clinicType { codings { code } }
        service { id name organisation { odsCode } } shortlist { id }
        appointment { status start end } pathwayStart provenance { source stale }
      }
    }`);
    expect(result.errors).toBeUndefined();
    expect(result.data?.['referral']).toEqual({
      ubrn: '000000070001',
      nhsNumber: '9000000009',
      status: {
        code: null,
        display: 'Booked',
        mapped: false,
        codings: [{ system: 'https://fhir.nhs.uk/STU3/CodeSystem/eRS-ReferralState-1', code: 'BOOKED' }],
      },
      priority: { display: 'Routine' },
      specialty: {
        codings: [
          {
            system: 'https://api.service.nhs.uk/referrals/FHIR/STU3/CodeSystem/SPECIALTY',
            code: 'CARDIOLOGY',
          },
        ],
      },
      clinicType: { codings: [{ code: 'HEART_FAILURE' }] },
      // e-RS names the service's site (ODS site code) on its HealthcareService (A033).
      service: { id: '11002', name: 'Good Cardiology Business Service', organisation: { odsCode: 'R6901' } },
      shortlist: [{ id: '11002' }],
      appointment: { status: 'booked', start: '2021-06-13T12:30:00.000Z', end: '2021-06-13T12:45:00.000Z' },
      pathwayStart: '2024-05-08T09:54:23.167Z',
      provenance: { source: 'e-RS', stale: false },
    });
    expect(await ersCounts()).toEqual({
      'ers GET /STU3/ReferralRequest/{ubrn}': 1,
      'ers GET /R4/HealthcareService/{id}': 1,
    });
  });

  it.each(['00000007000', '0000000700011', 'abcdefghijkl', '000000070001/x'])(
    'refuses %j with BAD_USER_INPUT naming ubrn, before calling e-RS',
    async (ubrn) => {
      const { execute } = subgraphAgainst(ersUrl);
      const result = await execute(`query($u: String!) { referral(ubrn: $u) { ubrn } }`, clinician(), {
        u: ubrn,
      });
      expect(codes(result)).toEqual([{ code: 'BAD_USER_INPUT', argument: 'ubrn' }]);
      expect(await ersCounts()).toEqual({});
    },
  );

  it('answers NOT_FOUND (REC_NOT_FOUND) for a UBRN e-RS does not hold', async () => {
    const { execute } = subgraphAgainst(ersUrl);
    const result = await execute(`{ referral(ubrn: "999999999999") { ubrn } }`);
    expect(result.data?.['referral']).toBeNull();
    expect(codes(result)).toEqual([{ code: 'NOT_FOUND', service: 'e-RS', upstreamCode: 'REC_NOT_FOUND' }]);
  });

  it('is never cached: the same referral read twice is two e-RS reads, and each is audited', async () => {
    const { execute, auditStore } = subgraphAgainst(ersUrl);
    await execute(`{ referral(ubrn: "000000070000") { ubrn } }`);
    await execute(`{ referral(ubrn: "000000070000") { ubrn } }`);
    expect((await ersCounts())['ers GET /STU3/ReferralRequest/{ubrn}']).toBe(2);
    const reads = auditStore.records.filter((r) => r.service === 'e-RS');
    expect(reads.map((r) => [r.nhsNumber, r.resourceTypes, r.outcome])).toEqual([
      ['9000000009', ['ReferralRequest'], 'read'],
      ['9000000009', ['ReferralRequest'], 'read'],
    ]);
  });
});

describe('Patient.referrals', () => {
  const PATIENTS = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Patient { nhsNumber referrals { ubrn status { code display } } } } }`;

  it('reads the caller’s worklists once for every patient in the request, and each referral once', async () => {
    const { execute, auditStore } = subgraphAgainst(ersUrl);
    const result = await execute(PATIENTS, clinician(), {
      r: [
        { __typename: 'Patient', nhsNumber: '9000000009' },
        { __typename: 'Patient', nhsNumber: '9462979626' },
        { __typename: 'Patient', nhsNumber: '9000000033' },
      ],
    });
    expect(result.errors).toBeUndefined();
    expect(result.data?.['_entities']).toEqual([
      {
        nhsNumber: '9000000009',
        referrals: [
          { ubrn: '000000070001', status: { code: null, display: 'Booked' } },
          { ubrn: '000000070000', status: { code: null, display: 'Not Booked' } },
        ],
      },
      // The published worklists name 9462979626 for 000000068002 only (once the derived links apply).
      { nhsNumber: '9462979626', referrals: [] },
      { nhsNumber: '9000000033', referrals: [] },
    ]);
    expect(await ersCounts()).toEqual({
      'ers POST /STU3/ReferralRequest/$ers.fetchworklist': REFERRER_WORKLISTS.length,
      'ers GET /STU3/ReferralRequest/{ubrn}': 2,
    });
    const worklistReads = auditStore.records.filter((r) => r.resourceTypes.includes('List'));
    expect(worklistReads.map((r) => r.nhsNumber)).toEqual(['9000000009', '9462979626', '9000000033']);
  });

  it('answers Patient and Referral keys of the wrong shape with NOT_FOUND, calling e-RS for none', async () => {
    const { execute } = subgraphAgainst(ersUrl);
    const hostile = ['../Patient/9000000017', '9000000009?_summary=count', '..', '', '000000070001\r\n'];
    const patients = await execute(PATIENTS, clinician(), {
      r: hostile.map((nhsNumber) => ({ __typename: 'Patient', nhsNumber })),
    });
    expect(patients.data?.['_entities']).toEqual(hostile.map(() => null));
    expect(codes(patients).map((e) => e?.['code'])).toEqual(hostile.map(() => 'NOT_FOUND'));
    const referrals = await execute(
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on Referral { ubrn } } }`,
      clinician(),
      {
        r: ['../STU3/ReferralRequest/000000070001', '000000070001?x=1', '..', ''].map((ubrn) => ({
          __typename: 'Referral',
          ubrn,
        })),
      },
    );
    expect(referrals.data?.['_entities']).toEqual([null, null, null, null]);
    expect(codes(referrals).map((e) => e?.['code'])).toEqual([
      'NOT_FOUND',
      'NOT_FOUND',
      'NOT_FOUND',
      'NOT_FOUND',
    ]);
    expect(await ersCounts()).toEqual({});
  });

  it.each([
    ['an ODS code ".."', '..'],
    ['an ODS code with CR/LF', 'A81001\r\nX-Injected: 1'],
  ])(
    'refuses staff whose selected role carries %s with UNAUTHENTICATED, calling e-RS for none',
    async (_what, orgCode) => {
      const { execute } = subgraphAgainst(ersUrl);
      const result = await execute(
        PATIENTS,
        { ...clinician(), orgCode },
        {
          r: [{ __typename: 'Patient', nhsNumber: '9000000009' }],
        },
      );
      expect(result.data?.['_entities']).toEqual([{ nhsNumber: '9000000009', referrals: null }]);
      expect(codes(result).map((e) => e?.['code'])).toEqual(['UNAUTHENTICATED']);
      expect(await ersCounts()).toEqual({});
    },
  );

  it('answers a citizen with a coded error: e-RS lists referrals only on staff worklists', async () => {
    const { execute } = subgraphAgainst(ersUrl);
    const result = await execute(PATIENTS, citizen('9000000009', 'P9'), {
      r: [{ __typename: 'Patient', nhsNumber: '9000000009' }],
    });
    expect(result.data?.['_entities']).toEqual([{ nhsNumber: '9000000009', referrals: null }]);
    expect(codes(result)).toEqual([{ code: 'UPSTREAM_REJECTED', service: 'e-RS' }]);
    expect(await ersCounts()).toEqual({});
  });
});

describe('searchReferralServices', () => {
  const SEARCH = `{ searchReferralServices(ids: ["1", "2"]) { id name active organisation { odsCode } } }`;

  it('answers the A035 sandbox scenario, and a second request from the cache', async () => {
    const { execute } = subgraphAgainst(ersUrl);
    const first = await execute(SEARCH);
    expect(first.errors).toBeUndefined();
    expect(first.data?.['searchReferralServices']).toEqual([
      { id: '1', name: 'Direct SVC 1', active: null, organisation: { odsCode: 'R6901' } },
      { id: '2', name: 'Direct SVC 2', active: true, organisation: { odsCode: 'R6901' } },
    ]);
    expect(await ersCounts()).toEqual({ 'ers GET /R4/HealthcareService': 1 });
    await resetSandbox(sandbox.url);
    await execute(SEARCH);
    expect(await ersCounts()).toEqual({});
  });

  it('keys the cache by the caller’s organisation: another organisation asks e-RS again', async () => {
    const cache = createCache(loadConfig({}), logger);
    const a = subgraphAgainst(ersUrl, cache);
    const b = subgraphAgainst(ersUrl, cache);
    await a.execute(SEARCH);
    await resetSandbox(sandbox.url);
    const other: Principal = { ...clinician(), orgCode: 'B82005' };
    await b.execute(SEARCH, other);
    expect(await ersCounts()).toEqual({ 'ers GET /R4/HealthcareService': 1 });
    await resetSandbox(sandbox.url);
    await b.execute(SEARCH, clinician());
    expect(await ersCounts()).toEqual({});
  });

  it.each([`{ searchReferralServices(ids: []) { id } }`, `{ searchReferralServices(ids: ["x"]) { id } }`])(
    'refuses %s with BAD_USER_INPUT',
    async (query) => {
      const { execute } = subgraphAgainst(ersUrl);
      expect(codes(await execute(query))).toEqual([{ code: 'BAD_USER_INPUT', argument: 'ids' }]);
    },
  );
});

describe('when e-RS answers at the network boundary', () => {
  let fake: Server;
  let fakeUrl: string;
  let reply: (path: string) => { status: number; body: string; headers?: Record<string, string> };
  let seen: Array<{ url: string; headers: IncomingHttpHeaders }>;

  beforeAll(async () => {
    fake = createServer((req, res) => {
      seen.push({ url: req.url ?? '/', headers: req.headers });
      const answer = reply(req.url ?? '/');
      res
        .writeHead(answer.status, { 'content-type': 'application/fhir+json', ...answer.headers })
        .end(answer.body);
    });
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
    fakeUrl = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => fake.close(() => resolve())));
  beforeEach(() => {
    seen = [];
  });

  const outcome = (code: string, system = 'https://fhir.nhs.uk/STU3/CodeSystem/eRS-APIErrorCode-1') =>
    JSON.stringify({
      resourceType: 'OperationOutcome',
      issue: [
        {
          severity: 'error',
          code: 'processing',
          details: { coding: [{ system, code }] },
          diagnostics: 'lock held by user 0216',
        },
      ],
    });

  it('sends the business function, the caller’s organisation and the correlation id', async () => {
    reply = () => ({ status: 404, body: outcome('REC_NOT_FOUND') });
    const { execute } = subgraphAgainst(fakeUrl);
    await execute(`{ referral(ubrn: "000000070000") { ubrn } }`);
    expect(seen[0]?.headers).toMatchObject({
      'nhsd-ers-business-function': 'REFERRING_CLINICIAN',
      'nhsd-end-user-organisation-ods': 'A81001',
      'x-correlation-id': 'test-correlation',
    });
  });

  it('sends no user-restricted headers for a citizen (application-restricted)', async () => {
    reply = () => ({ status: 404, body: outcome('REC_NOT_FOUND') });
    const { execute } = subgraphAgainst(fakeUrl);
    await execute(`{ referral(ubrn: "000000070000") { ubrn } }`, citizen('9000000009'));
    expect(seen[0]?.headers['nhsd-ers-business-function']).toBeUndefined();
    expect(seen[0]?.headers['nhsd-end-user-organisation-ods']).toBeUndefined();
  });

  it.each([
    [
      'a ReferralRequest whose subject is not an NHS number',
      JSON.stringify({
        resourceType: 'ReferralRequest',
        id: '000000070000',
        status: 'active',
        subject: { identifier: { system: 'urn:x', value: '1' } },
      }),
    ],
    ['another resource type', JSON.stringify({ resourceType: 'Bundle', type: 'searchset' })],
    ['a body that is not JSON', '<html>502 Bad Gateway</html>'],
  ])('refuses %s with UPSTREAM_INVALID_RESPONSE', async (_case, body) => {
    reply = () => ({ status: 200, body });
    const { execute } = subgraphAgainst(fakeUrl);
    const result = await execute(`{ referral(ubrn: "000000070000") { ubrn } }`);
    expect(result.data?.['referral']).toBeNull();
    expect(codes(result)).toEqual([{ code: 'UPSTREAM_INVALID_RESPONSE', service: 'e-RS' }]);
    expect(JSON.stringify(result.errors)).not.toContain('502 Bad Gateway');
  });

  it.each([
    [423, {}, 'CONFLICT', undefined],
    // A short Retry-After is waited out by the shared client (platform/http.ts) before giving up.
    [429, { 'retry-after': '1' }, 'RATE_LIMITED', 1],
    [503, {}, 'UPSTREAM_UNAVAILABLE', undefined],
  ])('maps a %d (%j) to %s without leaking diagnostics', async (status, headers, code, retryAfter) => {
    reply = () => ({ status, body: outcome('SOMETHING'), headers });
    const { execute } = subgraphAgainst(fakeUrl);
    const result = await execute(`{ referral(ubrn: "000000070000") { ubrn } }`);
    expect(codes(result)).toEqual([
      { code, service: 'e-RS', upstreamCode: 'SOMETHING', ...(retryAfter ? { retryAfter } : {}) },
    ]);
    expect(JSON.stringify(result.errors)).not.toContain('0216');
  });

  it('maps a 422 NO_RELATIONSHIP to FORBIDDEN from e-RS', async () => {
    reply = () => ({ status: 422, body: outcome('NO_RELATIONSHIP') });
    const { execute } = subgraphAgainst(fakeUrl);
    const result = await execute(`{ referral(ubrn: "000000070000") { ubrn } }`);
    expect(codes(result)).toEqual([{ code: 'FORBIDDEN', service: 'e-RS', upstreamCode: 'NO_RELATIONSHIP' }]);
  });
});
