// The medicines subgraph in-process (Apollo executeOperation) against the sandbox dm+d terminology
// server over real HTTP: reads, links between levels, both coding systems, search, entity
// resolution batched into one call, the `reference` cache tier across requests and releases,
// the audit trail, and what happens when the terminology server misbehaves.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createMemoryAuditStore } from '../../platform/audit/memory-store.js';
import { createCache, type Cache } from '../../platform/cache.js';
import { loadConfig } from '../../platform/config.js';
import { loadSubgraphConfig } from '../../platform/manifest.js';
import { medicines } from './manifest.js';
import { createUpstreamClient } from '../../platform/http.js';
import { createLogger } from '../../platform/logger.js';
import type { Principal } from '../../platform/principal.js';
import { createSubgraphServer } from '../../platform/subgraph.js';
import { lookupParameters } from '../../sandbox/dmd/operations.js';
import { loadDmdRelease } from '../../sandbox/dmd/release.js';
import { startSandbox, type Sandbox } from '../../sandbox/server.js';
import { clerk } from '../../test/principals.js';
import { resetSandbox, sandboxRequests } from '../../test/sandbox-client.js';
import { requestScope } from '../../test/scope.js';
import { createMedicinesSubgraph } from './server.js';
import { LOOKUPS_PER_BATCH } from './source.js';

const logger = createLogger('test', 'silent');
const caches: Cache[] = [];
const auditStore = createMemoryAuditStore();

/** A subgraph with a cold memory cache of its own, unless it is given one to share. */
function subgraphAgainst(dmdBaseUrl: string, cache: Cache = createCache(loadConfig({}), logger)) {
  caches.push(cache);
  const config = loadSubgraphConfig(medicines, {
    DMD_BASE_URL: dmdBaseUrl,
    DMD_TIMEOUT_MS: '2000',
    UPSTREAM_RETRY_ATTEMPTS: '1',
  });
  const dmd = createUpstreamClient(config.upstreams.dmd, logger);
  const definition = createMedicinesSubgraph(dmd, cache.tier('per-release'), config.upstreams.dmd.baseUrl);
  const server = createSubgraphServer(definition, logger);
  // Every call is a new request: new context, new DataLoaders; only the cache tier is shared.
  const execute = async (
    query: string,
    variables?: Record<string, unknown>,
    principal: Principal = clerk(),
  ) => {
    const response = await server.executeOperation(
      { query, ...(variables ? { variables } : {}) },
      { contextValue: definition.createContext(requestScope(principal, auditStore)) },
    );
    if (response.body.kind !== 'single') throw new Error('expected a single result');
    return response.body.singleResult;
  };
  return { execute, cache };
}

let sandbox: Sandbox;
let dmdUrl: string;

beforeAll(async () => {
  sandbox = await startSandbox(0, { syntheticPatients: 0 });
  dmdUrl = `${sandbox.url}/terminology/fhir`;
});

afterAll(async () => {
  await Promise.all(caches.map((cache) => cache.close()));
  await sandbox.close();
});

beforeEach(() => resetSandbox(sandbox.url));

const dmdCalls = async () => (await sandboxRequests(sandbox.url)).log.filter((e) => e.upstream === 'dmd');
const codes = (result: { errors?: ReadonlyArray<{ extensions?: Record<string, unknown> }> }) =>
  (result.errors ?? []).map((error) => error.extensions?.['code']);
const concept = (code: string, display: string) => ({ code, display, mapped: true });

const VMP = `{
  medicine(code: "318136009") {
    code kind name description invalid release
    concept { code display mapped codings { system code } }
    ingredients { substance { code display } basisOfStrength { display mapped } strength { text numerator { value unit { code display } } denominator { value } } }
    form { code display mapped } routes { code display } controlledDrug { code display mapped codings { system code } }
    prescribingStatus { display } availability { display } supplier { display } legalCategory { display }
    provenance { source retrievedAt stale }
  }
}`;

describe('medicine(code)', () => {
  it('answers a VMP from one batch call, mapped to the canonical graph', async () => {
    const { execute } = subgraphAgainst(dmdUrl);
    const result = await execute(VMP);
    expect(result.errors).toBeUndefined();
    expect(result.data?.['medicine']).toMatchObject({
      code: '318136009',
      kind: 'VMP',
      name: 'Co-amilofruse 5mg/40mg tablets',
      description: null,
      invalid: false,
      release: '2021-08-26',
      concept: {
        code: '318136009',
        mapped: true,
        codings: [
          { system: 'https://dmd.nhs.uk', code: '318136009' },
          { system: 'http://snomed.info/sct', code: '318136009' },
        ],
      },
      ingredients: [
        {
          substance: { code: '387516008', display: 'Amiloride hydrochloride' },
          basisOfStrength: { display: 'Based on Ingredient Substance', mapped: false },
          strength: {
            text: '5 mg',
            numerator: { value: 5, unit: { code: '258684004', display: 'mg' } },
            denominator: null,
          },
        },
        { substance: { code: '387475002', display: 'Furosemide' }, strength: { text: '40 mg' } },
      ],
      form: concept('385055001', 'Tablet'),
      routes: [{ code: '26643006', display: 'Oral' }],
      controlledDrug: {
        code: null,
        display: 'No Controlled Drug Status',
        mapped: false,
        codings: [{ system: 'https://dmd.nhs.uk/lookup/CONTROL_DRUG_CATEGORY', code: '0000' }],
      },
      prescribingStatus: { display: 'Valid as a prescribable product' },
      availability: null,
      supplier: null,
      legalCategory: null,
      provenance: { source: 'dm+d', stale: false },
    });
    const calls = await dmdCalls();
    expect(calls.map((call) => `${call.method} ${call.route}`)).toEqual(['POST /']);
  });

  it.each(['31813600X', '12345', '0318136009', '56966201000001112'])(
    'refuses %j with BAD_USER_INPUT naming code, before calling dm+d',
    async (code) => {
      const { execute } = subgraphAgainst(dmdUrl);
      const result = await execute(`query($c: ID!) { medicine(code: $c) { name } }`, { c: code });
      expect(result.data?.['medicine']).toBeNull();
      expect(result.errors?.map((e) => e.extensions)).toEqual([{ code: 'BAD_USER_INPUT', argument: 'code' }]);
      expect(await dmdCalls()).toEqual([]);
    },
  );

  it.each([
    ['a code dm+d does not hold', '999999001'],
    ['a dm+d concept that is not a medicine (the route Oral)', '26643006'],
  ])('answers null with NOT_FOUND for %s', async (_case, code) => {
    const { execute } = subgraphAgainst(dmdUrl);
    const result = await execute(`query($c: ID!) { medicine(code: $c) { name } }`, { c: code });
    expect(result.data?.['medicine']).toBeNull();
    expect(result.errors?.map((e) => e.extensions)).toEqual([{ code: 'NOT_FOUND', service: 'dm+d' }]);
  });
});

describe('links between levels', () => {
  it('walks AMPP -> AMP -> VMP -> VTM, reading what dm+d keeps on the VMP from the VMP', async () => {
    const { execute } = subgraphAgainst(dmdUrl);
    const result = await execute(`{
      medicine(code: "37365911000001107") {
        kind name legalCategory { display }
        supplier { code display } availability { display }
        form { display } ingredients { substance { display } strength { text } }
        amp { code kind description excipients { display } licensedRoutes { display } }
        vmpp { code kind }
        vmp { code kind name }
        vtm { code kind name }
      }
    }`);
    expect(result.errors).toBeUndefined();
    expect(result.data?.['medicine']).toEqual({
      kind: 'AMPP',
      name: 'Co-amilofruse 5mg/40mg tablets (Mawdsley-Brooks & Company Ltd) 28 tablet',
      legalCategory: { display: 'POM' },
      supplier: { code: '15125811000001100', display: 'Mawdsley-Brooks & Company Ltd' },
      availability: { display: 'Not available' },
      form: { display: 'Tablet' },
      ingredients: [
        { substance: { display: 'Amiloride hydrochloride' }, strength: { text: '5 mg' } },
        { substance: { display: 'Furosemide' }, strength: { text: '40 mg' } },
      ],
      amp: {
        code: '37365811000001102',
        kind: 'AMP',
        description: 'Co-amilofruse 5mg/40mg tablets (Mawdsley-Brooks & Company Ltd)',
        excipients: [{ display: 'Propylene glycol' }, { display: 'Butylated hydroxyanisole' }],
        licensedRoutes: [{ display: 'Oral' }],
      },
      vmpp: { code: '1245011000001108', kind: 'VMPP' },
      vmp: { code: '318136009', kind: 'VMP', name: 'Co-amilofruse 5mg/40mg tablets' },
      vtm: { code: '34186711000001102', kind: 'VTM', name: 'Co-amilofruse' },
    });
    // One batch per level reached: the AMPP; its AMP and VMPP; their VMP; the VTM.
    expect((await sandboxRequests(sandbox.url)).counts).toEqual({ 'dmd POST /': 4 });
  });

  it("lists a VTM's products, and a VMP's AMPs and packs, all in one further batch", async () => {
    const { execute } = subgraphAgainst(dmdUrl);
    const result = await execute(`{
      medicine(code: "34186711000001102") { kind vtm { code } vmp { code } form { code } products { code kind } }
    }`);
    expect(result.errors).toBeUndefined();
    expect(result.data?.['medicine']).toEqual({
      kind: 'VTM',
      vtm: null,
      vmp: null,
      form: null,
      products: [
        { code: '318135008', kind: 'VMP' },
        { code: '318136009', kind: 'VMP' },
      ],
    });
    expect(await dmdCalls()).toHaveLength(2);
  });
});

describe('medicineByCoding(system, code): GP Connect and UK Core name the same medicines', () => {
  const BY_CODING = `query($s: String!, $c: String!) { medicineByCoding(system: $s, code: $c) { code kind name } }`;

  it('answers the same Medicine for the SNOMED CT and the dm+d system, from one read', async () => {
    const { execute } = subgraphAgainst(dmdUrl);
    const snomed = await execute(BY_CODING, { s: 'http://snomed.info/sct', c: '323509004' });
    const dmd = await execute(BY_CODING, { s: 'https://dmd.nhs.uk', c: '323509004' });
    expect(snomed.errors).toBeUndefined();
    expect(snomed.data).toEqual({
      medicineByCoding: { code: '323509004', kind: 'VMP', name: 'Amoxicillin 250mg capsules' },
    });
    expect(dmd.data).toEqual(snomed.data);
    expect(await dmdCalls()).toHaveLength(1);
  });

  it('refuses another system with BAD_USER_INPUT naming system', async () => {
    const { execute } = subgraphAgainst(dmdUrl);
    const result = await execute(BY_CODING, {
      s: 'https://fhir.hl7.org.uk/Id/emis-drug-codes',
      c: '323509004',
    });
    expect(result.errors?.map((e) => e.extensions)).toEqual([{ code: 'BAD_USER_INPUT', argument: 'system' }]);
    expect(await dmdCalls()).toEqual([]);
  });
});

describe('searchMedicines', () => {
  it('searches dm+d by name and reads the matches in one batch', async () => {
    const { execute } = subgraphAgainst(dmdUrl);
    const result = await execute(
      `{ searchMedicines(name: "co-amilofruse 5mg", kind: AMP, first: 2) { code kind supplier { display } } }`,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.['searchMedicines']).toEqual([
      { code: '38847311000001102', kind: 'AMP', supplier: { display: 'Medihealth (Northern) Ltd' } },
      { code: '37706811000001108', kind: 'AMP', supplier: { display: 'CST Pharma Ltd' } },
    ]);
    const calls = await dmdCalls();
    expect(calls.map((call) => call.route)).toEqual(['/ValueSet/$expand', '/']);
    expect(calls[0]?.path).toContain(
      'url=https%3A%2F%2Fdmd.nhs.uk%2FValueSet%2FAMP&filter=co-amilofruse+5mg&count=2&activeOnly=true',
    );
  });

  it('leaves out what is not a medicine when searching every kind', async () => {
    const { execute } = subgraphAgainst(dmdUrl);
    // "Oral" matches the route Oral and the form "Oral solution" and others: none is a medicine.
    const result = await execute(`{ searchMedicines(name: "furosemide") { code kind name } }`);
    expect(result.errors).toBeUndefined();
    expect(result.data?.['searchMedicines']).toEqual([
      { code: '317971007', kind: 'VMP', name: 'Furosemide 20mg tablets' },
    ]);
  });

  it.each([
    ['a one-letter name', `{ searchMedicines(name: "a") { code } }`, 'name'],
    ['first over 50', `{ searchMedicines(name: "aspirin", first: 51) { code } }`, 'first'],
  ])('refuses %s with BAD_USER_INPUT, before calling dm+d', async (_case, query, argument) => {
    const { execute } = subgraphAgainst(dmdUrl);
    const result = await execute(query);
    expect(result.errors?.map((e) => e.extensions)).toEqual([{ code: 'BAD_USER_INPUT', argument }]);
    expect(await dmdCalls()).toEqual([]);
  });
});

describe('_entities (Medicine @key code, e.g. Medication.medicine from the care record): batching', () => {
  const ENTITIES = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Medicine { code kind name } } }`;

  it('resolves 10 references in one dm+d call, in order; unknown and malformed codes are null with NOT_FOUND', async () => {
    const { execute } = subgraphAgainst(dmdUrl);
    const references = [
      '323509004',
      '319773006',
      '317971007',
      '318136009',
      '999999001', // dm+d does not hold it
      '323509004', // the same medication twice
      '34186711000001102',
      '37365811000001102',
      'FUTA17675NEMIS', // an EMIS drug code, not dm+d
      '1245011000001108',
    ];
    const result = await execute(ENTITIES, {
      r: references.map((code) => ({ __typename: 'Medicine', code })),
    });
    expect(result.errors?.map((e) => [e.path?.join('.'), e.extensions?.['code']]).sort()).toEqual([
      ['_entities.4', 'NOT_FOUND'],
      ['_entities.8', 'NOT_FOUND'],
    ]);
    const entities = result.data?.['_entities'] as Array<{ code: string; kind: string } | null>;
    expect(entities.map((entity) => entity?.code ?? null)).toEqual(
      references.map((code) => (code === '999999001' || code === 'FUTA17675NEMIS' ? null : code)),
    );
    expect(entities[3]).toEqual({ code: '318136009', kind: 'VMP', name: 'Co-amilofruse 5mg/40mg tablets' });
    expect((await sandboxRequests(sandbox.url)).counts).toEqual({ 'dmd POST /': 1 });
  });

  it('answers hostile codes with NOT_FOUND, calling dm+d for none', async () => {
    const { execute } = subgraphAgainst(dmdUrl);
    const hostile = ['..', '', '../ValueSet/$expand', '318136009?_summary=count', '318136009\r\n', 42];
    const result = await execute(ENTITIES, { r: hostile.map((code) => ({ __typename: 'Medicine', code })) });
    expect(result.data?.['_entities']).toEqual(hostile.map(() => null));
    expect(codes(result)).toEqual(hostile.map(() => 'NOT_FOUND'));
    expect(await dmdCalls()).toEqual([]);
  });

  it(`splits more than ${LOOKUPS_PER_BATCH} distinct codes into batches of ${LOOKUPS_PER_BATCH}`, async () => {
    const { execute } = subgraphAgainst(dmdUrl);
    // Valid concept ids (partition 00) dm+d does not hold: each answered 404 inside the batch.
    const references = Array.from({ length: LOOKUPS_PER_BATCH + 1 }, (_, i) => ({
      __typename: 'Medicine',
      code: `${100000 + i}00${i % 10}`,
    }));
    const result = await execute(ENTITIES, { r: references });
    expect(codes(result)).toEqual(references.map(() => 'NOT_FOUND'));
    expect(result.data?.['_entities']).toEqual(references.map(() => null));
    expect((await sandboxRequests(sandbox.url)).counts).toEqual({ 'dmd POST /': 2 });
  });
});

describe('the reference cache tier', () => {
  const THREE = `{ a: medicine(code: "318136009") { name } b: medicine(code: "323509004") { name } c: medicine(code: "37365811000001102") { name provenance { retrievedAt } } }`;

  it('asks for three medicines in one call cold, and serves a second request without calling dm+d', async () => {
    const { execute } = subgraphAgainst(dmdUrl);
    const first = await execute(THREE);
    expect(first.errors).toBeUndefined();
    expect((await sandboxRequests(sandbox.url)).counts).toEqual({ 'dmd POST /': 1 });
    await resetSandbox(sandbox.url);
    const second = await execute(THREE);
    expect(second.errors).toBeUndefined();
    expect(await dmdCalls()).toHaveLength(0);
    // Provenance says when dm+d was read, not when the cache answered.
    expect(second.data).toEqual(first.data);
  });

  it('is shared by every subgraph instance given the same cache, for searches too; unknown codes are remembered', async () => {
    const cache = createCache(loadConfig({}), logger);
    const a = subgraphAgainst(dmdUrl, cache);
    const b = subgraphAgainst(dmdUrl, cache);
    const query = `{ medicine(code: "37706811000001108") { name } searchMedicines(name: "aspirin") { code } unknown: medicine(code: "999999001") { name } }`;
    await a.execute(query);
    expect(await dmdCalls()).toHaveLength(3);
    await resetSandbox(sandbox.url);
    const result = await b.execute(query);
    expect(result.data).toMatchObject({ searchMedicines: [{ code: '319773006' }], unknown: null });
    expect(codes(result)).toEqual(['NOT_FOUND']);
    expect(await dmdCalls()).toHaveLength(0);
  });

  it('records every read in the audit trail, with no patient', async () => {
    const { execute } = subgraphAgainst(dmdUrl);
    const before = auditStore.records.length;
    await execute(`{ a: medicine(code: "318136009") { name } b: medicine(code: "999999001") { name } }`);
    const written = auditStore.records.slice(before);
    expect(written.map((r) => [r.service, r.nhsNumber, r.resourceTypes, r.outcome])).toEqual([
      ['dm+d', null, ['CodeSystem'], 'read'],
      ['dm+d', null, ['CodeSystem'], 'not-found'],
    ]);
  });
});

describe('when the terminology server misbehaves, or moves to a new release', () => {
  const release = loadDmdRelease();
  let fake: Server;
  let fakeUrl: string;
  let reply: (body: string) => { status: number; body: string; headers?: Record<string, string> };
  let calls: number;
  let version: string;

  /** A batch-response for the lookups asked, from the sandbox's release but with `version`. */
  const batchAnswer = (request: string): { resourceType: string; type: string; entry: unknown[] } => {
    const bundle = JSON.parse(request) as { entry: Array<{ request: { url: string } }> };
    return {
      resourceType: 'Bundle',
      type: 'batch-response',
      entry: bundle.entry.map(({ request }) => {
        const code = new URLSearchParams(request.url.split('?')[1]).get('code') ?? '';
        const concept = release.concepts.get(code);
        if (concept === undefined) {
          return {
            response: {
              status: '404',
              outcome: {
                resourceType: 'OperationOutcome',
                issue: [{ severity: 'error', code: 'not-found' }],
              },
            },
          };
        }
        const parameters = lookupParameters({ ...release, version }, concept, ['*']);
        return { resource: parameters, response: { status: '200 OK' } };
      }),
    };
  };

  beforeAll(async () => {
    // A stand-in at the network boundary that answers whatever the test sets.
    fake = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        calls += 1;
        const answer = reply(Buffer.concat(chunks).toString('utf8'));
        res
          .writeHead(answer.status, { 'content-type': 'application/fhir+json', ...answer.headers })
          .end(answer.body);
      });
    });
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
    fakeUrl = `http://127.0.0.1:${(fake.address() as AddressInfo).port}/fhir`;
  });

  afterAll(() => new Promise<void>((resolve) => fake.close(() => resolve())));

  beforeEach(() => {
    calls = 0;
    version = '2021-08-26';
    reply = (body) => ({ status: 200, body: JSON.stringify(batchAnswer(body)) });
  });

  it('keeps answers per release, and reads the new release once the release last seen is rechecked', async () => {
    const { execute, cache } = subgraphAgainst(fakeUrl);
    const query = `{ medicine(code: "318136009") { name release } }`;
    expect((await execute(query)).data).toEqual({
      medicine: { name: 'Co-amilofruse 5mg/40mg tablets', release: '2021-08-26' },
    });
    await execute(query);
    expect(calls).toBe(1);
    // A new weekly release is published; the remembered "current release" lapses (after a day).
    version = '2021-09-02';
    await cache.tier('per-release').delete(`dm+d|${fakeUrl}|release`);
    expect((await execute(query)).data).toEqual({
      medicine: { name: 'Co-amilofruse 5mg/40mg tablets', release: '2021-09-02' },
    });
    expect(calls).toBe(2);
    expect((await execute(query)).data).toEqual({
      medicine: { name: 'Co-amilofruse 5mg/40mg tablets', release: '2021-09-02' },
    });
    expect(calls).toBe(2);
  });

  it.each([
    ['a Bundle of another type', JSON.stringify({ resourceType: 'Bundle', type: 'searchset' })],
    [
      'fewer entries than asked',
      JSON.stringify({ resourceType: 'Bundle', type: 'batch-response', entry: [] }),
    ],
    ['a body that is not JSON', '<html>502 Bad Gateway</html>'],
  ])('refuses %s with UPSTREAM_INVALID_RESPONSE for every medicine, caches nothing', async (_case, body) => {
    reply = () => ({ status: 200, body });
    const { execute } = subgraphAgainst(fakeUrl);
    const query = `{ a: medicine(code: "318136009") { name } b: medicine(code: "323509004") { name } }`;
    const result = await execute(query);
    expect(result.data).toEqual({ a: null, b: null });
    expect(codes(result)).toEqual(['UPSTREAM_INVALID_RESPONSE', 'UPSTREAM_INVALID_RESPONSE']);
    expect(JSON.stringify(result.errors)).not.toContain('502 Bad Gateway');
    await execute(query);
    expect(calls).toBe(2);
  });

  it('answers an entry that failed inside the batch with its own error, and the rest', async () => {
    reply = (body) => {
      const answer = batchAnswer(body);
      answer.entry[1] = {
        response: {
          status: '500 Internal Server Error',
          outcome: {
            resourceType: 'OperationOutcome',
            issue: [{ severity: 'error', code: 'exception', diagnostics: 'ontoserver-2.internal NPE' }],
          },
        },
      };
      return { status: 200, body: JSON.stringify(answer) };
    };
    const { execute } = subgraphAgainst(fakeUrl);
    const result = await execute(
      `{ a: medicine(code: "318136009") { name } b: medicine(code: "323509004") { name } }`,
    );
    expect(result.data).toEqual({ a: { name: 'Co-amilofruse 5mg/40mg tablets' }, b: null });
    expect(codes(result)).toEqual(['UPSTREAM_UNAVAILABLE']);
    expect(JSON.stringify(result.errors)).not.toContain('ontoserver-2');
  });

  it('maps a 429 to RATE_LIMITED with the Retry-After seconds, and a 503 to UPSTREAM_UNAVAILABLE', async () => {
    reply = () => ({ status: 429, body: '', headers: { 'retry-after': '17' } });
    const { execute } = subgraphAgainst(fakeUrl);
    const limited = await execute(`{ medicine(code: "318136009") { name } }`);
    expect(limited.errors?.map((e) => e.extensions)).toEqual([
      { code: 'RATE_LIMITED', service: 'dm+d', retryAfter: 17 },
    ]);
    reply = () => ({ status: 503, body: '' });
    const down = await execute(`{ searchMedicines(name: "aspirin") { code } }`);
    expect(codes(down)).toEqual(['UPSTREAM_UNAVAILABLE']);
  });

  it('answers UPSTREAM_UNAVAILABLE when the terminology server cannot be reached', async () => {
    const { execute } = subgraphAgainst('http://127.0.0.1:1/fhir');
    const result = await execute(`{ medicine(code: "318136009") { name } }`);
    expect(codes(result)).toEqual(['UPSTREAM_UNAVAILABLE']);
  });
});
