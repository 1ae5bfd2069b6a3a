// updatePatientAddress in-process: the demographics subgraph over real HTTP to the sandbox PDS
// (PATCH with If-Match), with the idempotency store in memory, or in Redis when REDIS_URL is set
// and shared by two subgraph instances as replicas share it. Counts the PATCHes PDS receives.
import { randomUUID } from 'node:crypto';
import { createCache, type Cache } from '../../platform/cache.js';
import { loadSubgraphConfig } from '../../platform/manifest.js';
import { demographics } from './manifest.js';
import { createUpstreamClient } from '../../platform/http.js';
import { createIdempotencyStore, type IdempotencyStore } from '../../platform/idempotency.js';
import { createLogger } from '../../platform/logger.js';
import type { Principal } from '../../platform/principal.js';
import { createSubgraphServer } from '../../platform/subgraph.js';
import { createMemoryAuditStore, type MemoryAuditStore } from '../../platform/audit/memory-store.js';
import { startSandbox, type Sandbox } from '../../sandbox/server.js';
import { sandboxRequests } from '../../test/sandbox-client.js';
import { citizen, clerk, partner } from '../../test/principals.js';
import { requestScope } from '../../test/scope.js';
import { createDemographicsSubgraph } from './server.js';

const redisUrl = process.env['REDIS_URL'];
const logger = createLogger('test', 'silent');

let sandbox: Sandbox;
let pdsBaseUrl: string;

beforeAll(async () => {
  sandbox = await startSandbox(0, { syntheticPatients: 0 });
  pdsBaseUrl = `${sandbox.url}/personal-demographics/FHIR/R4`;
});
afterAll(() => sandbox.close());
beforeEach(async () => {
  await fetch(`${sandbox.url}/_sandbox/reset`, { method: 'POST' });
  await setPdsFaults({});
});

async function setPdsFaults(faults: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${sandbox.url}/_sandbox/faults/pds`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(faults),
  });
  if (!response.ok) throw new Error(`fault config refused: ${await response.text()}`);
}

/** The PATCHes PDS received, with the X-Request-ID each carried. */
async function pdsPatches(): Promise<Array<string | null>> {
  const { log } = await sandboxRequests(sandbox.url);
  return log.filter((e) => e.upstream === 'pds' && e.method === 'PATCH').map((e) => e.requestId);
}

/** One subgraph instance (a replica): its own upstream client, cache and idempotency store. */
function replica(env: Record<string, string>) {
  const config = loadSubgraphConfig(demographics, {
    PDS_BASE_URL: pdsBaseUrl,
    PDS_TIMEOUT_MS: '2000',
    ...env,
  });
  const cache: Cache = createCache(config, logger);
  const idempotency: IdempotencyStore = createIdempotencyStore(config, logger);
  const definition = createDemographicsSubgraph(
    createUpstreamClient(
      { ...config.upstreams.pds, retry: { ...config.upstreams.pds.retry!, baseDelayMs: 10 } },
      logger,
    ),
    { tier: cache.tier('minutes'), scope: config.upstreams.pds.baseUrl, staleIfErrorSeconds: 3600 },
    idempotency,
  );
  const server = createSubgraphServer(definition, logger);
  const execute = async (
    query: string,
    variables: Record<string, unknown> = {},
    principal: Principal = clerk(),
    audit: MemoryAuditStore = createMemoryAuditStore(),
  ) => {
    const response = await server.executeOperation(
      { query, variables },
      { contextValue: definition.createContext(requestScope(principal, audit)) },
    );
    if (response.body.kind !== 'single') throw new Error('expected a single result');
    return response.body.singleResult;
  };
  return {
    execute,
    start: () => server.start(),
    stop: async () => {
      await server.stop();
      await Promise.all([cache.close(), idempotency.close()]);
    },
  };
}

const UPDATE = `mutation Update($input: UpdatePatientAddressInput!) {
  updatePatientAddress(input: $input) { nhsNumber version address { id lines postcode period { start } } }
}`;
const READ = `query Read($n: NhsNumber!) { patient(nhsNumber: $n) { version address { lines postcode } } }`;

const input = (overrides: Record<string, unknown> = {}) => ({
  nhsNumber: '9000000009',
  version: '2',
  lines: ['2 Whitehall Quay', 'Leeds'],
  postcode: 'ls1 4bu',
  idempotencyKey: randomUUID(),
  ...overrides,
});

const codes = (result: { errors?: ReadonlyArray<{ extensions?: Record<string, unknown> }> }) =>
  result.errors?.map((e) => e.extensions?.['code']);

function suite(name: string, env: () => Record<string, string>) {
  describe(name, () => {
    let a: ReturnType<typeof replica>;
    let b: ReturnType<typeof replica>;
    beforeEach(async () => {
      const shared = env();
      a = replica(shared);
      // Without Redis each instance has its own memory store, so "replicas" means one instance.
      b = shared['REDIS_URL'] ? replica(shared) : a;
      await a.start();
      if (b !== a) await b.start();
    });
    afterEach(async () => {
      await a.stop();
      if (b !== a) await b.stop();
    });

    it('writes the new home address with If-Match and returns the record PDS now holds', async () => {
      const audit = createMemoryAuditStore();
      const result = await a.execute(UPDATE, { input: input() }, clerk(), audit);
      expect(result.errors).toBeUndefined();
      expect(result.data?.['updatePatientAddress']).toEqual({
        nhsNumber: '9000000009',
        version: '3',
        address: {
          id: '456',
          lines: ['2 Whitehall Quay', 'Leeds'],
          postcode: 'LS1 4BU',
          period: { start: new Date().toISOString().slice(0, 10) },
        },
      });
      const patches = await pdsPatches();
      expect(patches).toHaveLength(1);
      // Audited before sending and once PDS accepted it, with the request id PDS received.
      expect(audit.records.map((r) => [r.outcome, r.detail])).toEqual([
        ['write-requested', patches[0]],
        ['written', patches[0]],
      ]);
      const read = await b.execute(READ, { n: '9000000009' });
      expect(read.data?.['patient']).toEqual({
        version: '3',
        address: { lines: ['2 Whitehall Quay', 'Leeds'], postcode: 'LS1 4BU' },
      });
    });

    it('writes once when the same mutation is sent twice, on either replica, and answers both alike', async () => {
      const same = input();
      const first = await a.execute(UPDATE, { input: same });
      const second = await b.execute(UPDATE, { input: same });
      const concurrent = await Promise.all([
        a.execute(UPDATE, { input: same }),
        b.execute(UPDATE, { input: same }),
      ]);
      expect(first.errors).toBeUndefined();
      for (const repeat of [second, ...concurrent]) expect(repeat).toEqual(first);
      expect(await pdsPatches()).toHaveLength(1);
    });

    it('writes once when two replicas receive the same new mutation at the same moment', async () => {
      const same = input();
      const [x, y] = await Promise.all([
        a.execute(UPDATE, { input: same }),
        b.execute(UPDATE, { input: same }),
      ]);
      expect(x.errors).toBeUndefined();
      expect(y).toEqual(x);
      expect(await pdsPatches()).toHaveLength(1);
    });

    it('refuses the same key with a different address, without writing', async () => {
      const key = randomUUID();
      await a.execute(UPDATE, { input: input({ idempotencyKey: key }) });
      const reused = await b.execute(UPDATE, { input: input({ idempotencyKey: key, postcode: 'LS2 7UE' }) });
      expect(codes(reused)).toEqual(['IDEMPOTENCY_KEY_REUSED']);
      expect(await pdsPatches()).toHaveLength(1);
    });

    it('surfaces a stale version as CONFLICT / RESOURCE_VERSION_MISMATCH, and replays it for the same key', async () => {
      const stale = input({ version: '1' });
      const result = await a.execute(UPDATE, { input: stale });
      expect(result.data).toBeNull();
      expect(result.errors?.[0]?.extensions).toMatchObject({
        code: 'CONFLICT',
        service: 'PDS',
        upstreamCode: 'RESOURCE_VERSION_MISMATCH',
      });
      const repeat = await b.execute(UPDATE, { input: stale });
      expect(repeat).toEqual(result);
      expect(await pdsPatches()).toHaveLength(1);
      const read = await a.execute(READ, { n: '9000000009' });
      expect(read.data?.['patient']).toMatchObject({ version: '2' });
    });

    it('applies a write whose answer was lost once: the retry carries the same X-Request-ID and PDS applies it once', async () => {
      await setPdsFaults({ methods: ['PATCH'], failNext: 1, failKind: 'lostResponse', retryAfterSeconds: 0 });
      const result = await a.execute(UPDATE, { input: input() });
      expect(result.errors).toBeUndefined();
      expect(result.data?.['updatePatientAddress']).toMatchObject({ version: '3' });
      const patches = await pdsPatches();
      expect(patches).toHaveLength(2);
      expect(patches[1]).toBe(patches[0]);
    });

    it('refuses the write while PDS fails and only a cached record is held, then lets the same key through once PDS is back', async () => {
      expect((await a.execute(READ, { n: '9000000009' })).errors).toBeUndefined(); // kept for stale-if-error
      // Three 503s: the write's read of the current record fails on every attempt (too few
      // failures to open the breaker, which would rightly refuse the retry below as well).
      await setPdsFaults({ failNext: 3, retryAfterSeconds: 0 });
      const same = input();
      const audit = createMemoryAuditStore();
      const refused = await b.execute(UPDATE, { input: same }, clerk(), audit);
      expect(codes(refused)).toEqual(['STALE_DATA_REFUSED']);
      expect(await pdsPatches()).toHaveLength(0);
      expect(audit.records).toEqual([]); // nothing was sent, so no write was requested

      await setPdsFaults({});
      const retried = await a.execute(UPDATE, { input: same });
      expect(retried.errors).toBeUndefined();
      expect(await pdsPatches()).toHaveLength(1);
    });

    it('lets only staff with B0825 and the patient themself (P9) change an address', async () => {
      const own = await a.execute(UPDATE, { input: input() }, citizen('9000000009', 'P9'));
      expect(own.errors).toBeUndefined();
      const p5 = await a.execute(UPDATE, { input: input({ version: '3' }) }, citizen('9000000009', 'P5'));
      const other = await a.execute(UPDATE, { input: input({ version: '3' }) }, citizen('9000000017', 'P9'));
      const app = await a.execute(
        UPDATE,
        { input: input({ version: '3' }) },
        partner(['patient:demographics.read']),
      );
      for (const refused of [p5, other, app]) expect(codes(refused)).toEqual(['FORBIDDEN']);
      expect(await pdsPatches()).toHaveLength(1);
    });

    it('refuses bad input before anything is sent', async () => {
      const badKey = await a.execute(UPDATE, { input: input({ idempotencyKey: 'short' }) });
      const badPostcode = await a.execute(UPDATE, { input: input({ postcode: 'nowhere' }) });
      expect(badKey.errors?.[0]?.extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        argument: 'idempotencyKey',
      });
      expect(badPostcode.errors?.[0]?.extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        argument: 'input.postcode',
      });
      expect(await pdsPatches()).toHaveLength(0);
    });

    it.each([
      ['a CR/LF', '2 Whitehall Quay\r\nLeeds'],
      ['a trailing LF', '2 Whitehall Quay\n'],
      ['a NUL', '2 Whitehall\u0000Quay'],
      ['a TAB', '2\tWhitehall Quay'],
      ['U+2028', '2 Whitehall Quay\u2028Leeds'],
      ['a zero-width space', '2 Whitehall\u200bQuay'],
      ['markup', '<script>alert(1)</script>'],
      ['a quote', '2 "Whitehall" Quay'],
    ])('refuses an address line with %s, naming the line, and calls PDS for nothing', async (_what, line) => {
      const result = await a.execute(UPDATE, { input: input({ lines: ['Flat 1', line] }) });
      expect(result.errors?.map((e) => e.extensions)).toEqual([
        expect.objectContaining({ code: 'BAD_USER_INPUT', argument: 'input.lines.1' }),
      ]);
      const { log } = await sandboxRequests(sandbox.url);
      expect(log.filter((entry) => entry.upstream === 'pds')).toEqual([]);
    });

    it('accepts the characters of PAF addresses, in any script', async () => {
      const lines = ["Flat 2/3, St. Mary's Court (Rear)", 'Ty’n-y-Coed & Ysgol', 'Ålesund #4'];
      const result = await a.execute(UPDATE, { input: input({ lines }) });
      expect(result.errors).toBeUndefined();
    });

    it("refuses to change a restricted patient's address", async () => {
      const result = await a.execute(UPDATE, { input: input({ nhsNumber: '9000000025' }) });
      expect(codes(result)).toEqual(['FORBIDDEN']);
      expect(await pdsPatches()).toHaveLength(0);
    });
  });
}

suite('updatePatientAddress (idempotency in memory)', () => ({}));
if (redisUrl)
  suite('updatePatientAddress across two replicas sharing Redis', () => ({
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: `nhs-graph-test-${randomUUID()}:`,
  }));
