// The demographics subgraph in-process (Apollo executeOperation) against the sandbox PDS over
// real HTTP: entity resolution, batching, and what happens when PDS misbehaves.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ApolloServer } from '@apollo/server';
import { createUpstreamClient } from '../../platform/http.js';
import { loadSubgraphConfig } from '../../platform/manifest.js';
import { demographics } from './manifest.js';
import { createLogger } from '../../platform/logger.js';
import { createSubgraphServer, type SubgraphContext } from '../../platform/subgraph.js';
import { startSandbox, type Sandbox } from '../../sandbox/server.js';
import { resetSandbox, sandboxRequests } from '../../test/sandbox-client.js';
import type { Principal } from '../../platform/principal.js';
import { clerk } from '../../test/principals.js';
import { requestScope } from '../../test/scope.js';
import { createMemoryAuditStore, type MemoryAuditStore } from '../../platform/audit/memory-store.js';
import type { DemographicsLoaders, DemographicsSources } from './loaders.js';
import { createDemographicsSubgraph } from './server.js';

const logger = createLogger('test', 'silent');
type Context = SubgraphContext<DemographicsLoaders, DemographicsSources>;

function subgraphAgainst(pdsBaseUrl: string) {
  const config = loadSubgraphConfig(demographics, { PDS_BASE_URL: pdsBaseUrl, PDS_TIMEOUT_MS: '2000' });
  const definition = createDemographicsSubgraph(createUpstreamClient(config.upstreams.pds, logger));
  const server = createSubgraphServer(definition, logger);
  const execute = async (
    query: string,
    variables?: Record<string, unknown>,
    principal: Principal = clerk(),
    auditStore: MemoryAuditStore = createMemoryAuditStore(),
  ) => {
    const response = await server.executeOperation(
      { query, ...(variables ? { variables } : {}) },
      { contextValue: definition.createContext(requestScope(principal, auditStore)) },
    );
    if (response.body.kind !== 'single') throw new Error('expected a single result');
    return response.body.singleResult;
  };
  return { server: server as ApolloServer<Context>, execute };
}

let sandbox: Sandbox;
let subgraph: ReturnType<typeof subgraphAgainst>;

beforeAll(async () => {
  sandbox = await startSandbox(0, { syntheticPatients: 50 });
  subgraph = subgraphAgainst(`${sandbox.url}/personal-demographics/FHIR/R4`);
  await subgraph.server.start();
});

afterAll(async () => {
  await subgraph.server.stop();
  await sandbox.close();
});

beforeEach(() => resetSandbox(sandbox.url));

const pdsCalls = async () => (await sandboxRequests(sandbox.url)).log.filter((e) => e.upstream === 'pds');
const codes = (result: { errors?: ReadonlyArray<{ extensions?: Record<string, unknown> }> }) =>
  (result.errors ?? []).map((error) => error.extensions?.['code']);

describe('_entities (Patient @key nhsNumber)', () => {
  it('resolves Patient references, one PDS call per distinct patient', async () => {
    const result = await subgraph.execute(
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on Patient { nhsNumber restricted } } }`,
      {
        r: [
          { __typename: 'Patient', nhsNumber: '9000000009' },
          { __typename: 'Patient', nhsNumber: '9000000025' },
          { __typename: 'Patient', nhsNumber: '9000000009' },
        ],
      },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.['_entities']).toEqual([
      { nhsNumber: '9000000009', restricted: false },
      { nhsNumber: '9000000025', restricted: true },
      { nhsNumber: '9000000009', restricted: false },
    ]);
    expect((await pdsCalls()).map((call) => call.path).sort()).toEqual([
      '/personal-demographics/FHIR/R4/Patient/9000000009',
      '/personal-demographics/FHIR/R4/Patient/9000000025',
    ]);
  });

  it('keeps results in key order when some keys fail', async () => {
    const result = await subgraph.execute(
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on Patient { nhsNumber } } }`,
      {
        r: [
          { __typename: 'Patient', nhsNumber: '9111231130' },
          { __typename: 'Patient', nhsNumber: '9000000033' },
        ],
      },
    );
    expect(result.data?.['_entities']).toEqual([null, { nhsNumber: '9000000033' }]);
    expect(codes(result)).toEqual(['NOT_FOUND']);
    expect(result.errors?.[0]?.path).toEqual(['_entities', 0]);
  });

  it('answers a key that is not 10 digits with NOT_FOUND, and never sends it to PDS', async () => {
    const hostile = [
      '../Patient/9000000017',
      '9000000009?_summary=count',
      '..',
      '',
      '9000000009\r\n',
      '12345',
    ];
    const result = await subgraph.execute(
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on Patient { nhsNumber } } }`,
      {
        r: [
          ...hostile.map((nhsNumber) => ({ __typename: 'Patient', nhsNumber })),
          { __typename: 'Patient', nhsNumber: 42 },
        ],
      },
    );
    expect(result.data?.['_entities']).toEqual([...hostile, 42].map(() => null));
    expect(codes(result)).toEqual([...hostile, 42].map(() => 'NOT_FOUND'));
    expect(await pdsCalls()).toEqual([]);
  });
});

describe('records PDS does not serve', () => {
  it.each([
    ['not found', '9111231130', 'RESOURCE_NOT_FOUND'],
    ['invalidated (not superseded)', '9000000041', 'INVALIDATED_RESOURCE'],
  ])('answers a %s record with null and NOT_FOUND', async (_case, nhsNumber, upstreamCode) => {
    const result = await subgraph.execute(`{ patient(nhsNumber: "${nhsNumber}") { nhsNumber } }`);
    expect(result.data?.['patient']).toBeNull();
    expect(result.errors?.map((error) => error.extensions)).toEqual([
      expect.objectContaining({ code: 'NOT_FOUND', service: 'PDS', upstreamCode }),
    ]);
  });
});

describe('superseded numbers', () => {
  it('answers the current record and lists the number asked for', async () => {
    const { log } = await sandboxRequests(sandbox.url);
    expect(log).toEqual([]);
    const result = await subgraph.execute(
      `{ patient(nhsNumber: "5900053636") { nhsNumber supersededNhsNumbers } }`,
    );
    expect(result.errors).toBeUndefined();
    const patient = result.data?.['patient'] as { nhsNumber: string; supersededNhsNumbers: string[] };
    expect(patient.nhsNumber).not.toBe('5900053636');
    expect(patient.supersededNhsNumbers).toEqual(['5900053636']);
  });
});

describe('when PDS sends something unexpected', () => {
  let fakePds: Server;
  let fake: ReturnType<typeof subgraphAgainst>;
  let reply: { status: number; body: string };

  beforeAll(async () => {
    // A stand-in at the network boundary that answers whatever the test sets.
    fakePds = createServer((_req, res) => {
      res.writeHead(reply.status, { 'content-type': 'application/fhir+json' }).end(reply.body);
    });
    await new Promise<void>((resolve) => fakePds.listen(0, '127.0.0.1', resolve));
    fake = subgraphAgainst(`http://127.0.0.1:${(fakePds.address() as AddressInfo).port}`);
    await fake.server.start();
  });

  afterAll(async () => {
    await fake.server.stop();
    await new Promise<void>((resolve) => fakePds.close(() => resolve()));
  });

  it.each([
    ['a Patient without an id', JSON.stringify({ resourceType: 'Patient', name: [] })],
    ['another resource type', JSON.stringify({ resourceType: 'Bundle', id: '9000000009' })],
    [
      'names that are not a list',
      JSON.stringify({ resourceType: 'Patient', id: '9000000009', name: 'Jane' }),
    ],
    ['a body that is not JSON', '<html>502 Bad Gateway</html>'],
  ])('refuses %s with UPSTREAM_INVALID_RESPONSE and no partial record', async (_case, body) => {
    reply = { status: 200, body };
    const result = await fake.execute(`{ patient(nhsNumber: "9000000009") { nhsNumber name { text } } }`);
    expect(result.data?.['patient']).toBeNull();
    expect(codes(result)).toEqual(['UPSTREAM_INVALID_RESPONSE']);
    expect(JSON.stringify(result.errors)).not.toContain('502 Bad Gateway');
  });

  it('maps a 503 OperationOutcome to UPSTREAM_UNAVAILABLE without leaking its diagnostics', async () => {
    reply = {
      status: 503,
      body: JSON.stringify({
        resourceType: 'OperationOutcome',
        issue: [
          {
            severity: 'error',
            code: 'transient',
            details: {
              coding: [
                {
                  system: 'https://fhir.nhs.uk/R4/CodeSystem/Spine-ErrorOrWarningCode',
                  version: '1',
                  code: 'SERVICE_UNAVAILABLE',
                },
              ],
            },
            diagnostics: 'internal-host-17.spine.local refused connection',
          },
        ],
      }),
    };
    const result = await fake.execute(`{ patient(nhsNumber: "9000000009") { nhsNumber } }`);
    expect(codes(result)).toEqual(['UPSTREAM_UNAVAILABLE']);
    expect(JSON.stringify(result.errors)).not.toContain('internal-host-17');
  });

  it('answers UPSTREAM_UNAVAILABLE when PDS cannot be reached', async () => {
    const unreachable = subgraphAgainst('http://127.0.0.1:1');
    await unreachable.server.start();
    const result = await unreachable.execute(`{ patient(nhsNumber: "9000000009") { nhsNumber } }`);
    await unreachable.server.stop();
    expect(codes(result)).toEqual(['UPSTREAM_UNAVAILABLE']);
  });
});

describe('auditing upstream reads', () => {
  it('writes one record per patient read, with who, what and how', async () => {
    const store = createMemoryAuditStore();
    const result = await subgraph.execute(
      `query Card { a: patient(nhsNumber: "9000000009") { name { text } } b: patient(nhsNumber: "9111231130") { nhsNumber } }`,
      undefined,
      clerk(),
      store,
    );
    expect(result.data?.['a']).toBeTruthy();
    expect(store.records.map((r) => [r.nhsNumber, r.outcome, r.service, r.operationName])).toEqual([
      ['9000000009', 'read', 'PDS', 'Card'],
      ['9111231130', 'not-found', 'PDS', 'Card'],
    ]);
    expect(store.records[0]?.fields).toEqual([
      'HumanName.text',
      'Patient.name',
      'Patient.nhsNumber',
      'Query.patient',
    ]);
    expect(store.records[0]?.principal).toMatchObject({
      kind: 'staff',
      roleId: '555254240100',
      orgCode: 'A81001',
    });
  });

  it('refuses the read, returning nothing, when the audit store is down', async () => {
    const store = createMemoryAuditStore();
    store.failAppends(true);
    const result = await subgraph.execute(
      `{ patient(nhsNumber: "9000000009") { nhsNumber name { text } } }`,
      undefined,
      clerk(),
      store,
    );
    expect(result.data?.['patient']).toBeNull();
    expect(codes(result)).toEqual(['AUDIT_UNAVAILABLE']);
    expect(JSON.stringify(result)).not.toContain('Smith');
  });
});
