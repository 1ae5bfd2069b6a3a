// Stale-if-error in-process: the demographics subgraph over real HTTP to the sandbox PDS, with
// faults injected there, and the `demographics` cache tier (memory; Redis when REDIS_URL is set,
// shared by two subgraph instances as replicas share it).
import { randomUUID } from 'node:crypto';
import { createCache, type Cache } from '../../platform/cache.js';
import { loadSubgraphConfig } from '../../platform/manifest.js';
import { demographics } from './manifest.js';
import { createUpstreamClient } from '../../platform/http.js';
import { createLogger } from '../../platform/logger.js';
import { recordsServed } from '../../platform/metrics.js';
import { createSubgraphServer } from '../../platform/subgraph.js';
import { createMemoryAuditStore, type MemoryAuditStore } from '../../platform/audit/memory-store.js';
import { startSandbox, type Sandbox } from '../../sandbox/server.js';
import { clerk } from '../../test/principals.js';
import { requestScope } from '../../test/scope.js';
import { createDemographicsSubgraph } from './server.js';

const describeWithRedis = process.env['REDIS_URL'] ? describe : describe.skip;
const logger = createLogger('test', 'silent');

let sandbox: Sandbox;
let pdsBaseUrl: string;

beforeAll(async () => {
  sandbox = await startSandbox(0, { syntheticPatients: 0 });
  pdsBaseUrl = `${sandbox.url}/personal-demographics/FHIR/R4`;
});
afterAll(() => sandbox.close());
afterEach(() => setPdsFaults({}));

async function setPdsFaults(faults: Record<string, unknown>): Promise<void> {
  await fetch(`${sandbox.url}/_sandbox/faults/pds`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(faults),
  });
}

/** One subgraph instance: its own upstream client (breaker) and its own cache connection. */
function instance(env: Record<string, string> = {}) {
  const config = loadSubgraphConfig(demographics, {
    PDS_BASE_URL: pdsBaseUrl,
    PDS_TIMEOUT_MS: '2000',
    ...env,
  });
  const cache: Cache = createCache(config, logger);
  const definition = createDemographicsSubgraph(createUpstreamClient(config.upstreams.pds, logger), {
    tier: cache.tier('minutes'),
    scope: config.upstreams.pds.baseUrl,
    staleIfErrorSeconds: config.settings.staleIfErrorSeconds,
  });
  const server = createSubgraphServer(definition, logger);
  const execute = async (query: string, auditStore: MemoryAuditStore = createMemoryAuditStore()) => {
    const response = await server.executeOperation(
      { query },
      { contextValue: definition.createContext(requestScope(clerk(), auditStore)) },
    );
    if (response.body.kind !== 'single') throw new Error('expected a single result');
    return response.body.singleResult;
  };
  return { server, execute, close: () => cache.close() };
}

const PATIENT = (n: string) =>
  `{ patient(nhsNumber: "${n}") { nhsNumber address { postcode } telecom { value } registeredGp { odsCode } restricted provenance { retrievedAt stale ageSeconds } } }`;

async function servedCount(freshness: 'fresh' | 'stale'): Promise<number> {
  const metric = await recordsServed.get();
  return (
    metric.values.find((v) => v.labels['service'] === 'PDS' && v.labels['freshness'] === freshness)?.value ??
    0
  );
}

describe('stale-if-error (memory cache)', () => {
  it('serves the last good record, stale, with a warning and a stale audit record; restricted stays withheld', async () => {
    const subgraph = instance();
    await subgraph.server.start();
    try {
      const fresh = await subgraph.execute(PATIENT('9000000025'));
      expect(fresh.errors).toBeUndefined();
      const first = fresh.data?.['patient'] as { provenance: { retrievedAt: string } };

      await setPdsFaults({ errorRate: 1, retryAfterSeconds: 0 });
      const audit = createMemoryAuditStore();
      const staleServedBefore = await servedCount('stale');
      const stale = await subgraph.execute(PATIENT('9000000025'), audit);
      // The freshness objective's series (ops/slos.yaml) counts it.
      expect(await servedCount('stale')).toBe(staleServedBefore + 1);
      expect(stale.data?.['patient']).toMatchObject({
        nhsNumber: '9000000025',
        restricted: true,
        address: null,
        telecom: [],
        registeredGp: null,
        provenance: { retrievedAt: first.provenance.retrievedAt, stale: true },
      });
      expect(stale.extensions?.['warnings']).toEqual([
        expect.objectContaining({ code: 'STALE_DATA', path: ['patient'], service: 'PDS' }),
      ]);
      expect(stale.errors).toBeUndefined();
      expect(audit.records).toEqual([
        expect.objectContaining({ nhsNumber: '9000000025', outcome: 'read', detail: 'stale' }),
      ]);

      // A number never read has nothing to fall back on.
      const never = await subgraph.execute(PATIENT('9000000033'));
      expect(never.data?.['patient']).toBeNull();
      expect(never.errors?.map((e) => e.extensions?.['code'])).toEqual(['UPSTREAM_UNAVAILABLE']);
    } finally {
      await subgraph.server.stop();
      await subgraph.close();
    }
  });

  it('does not fall back when PDS answers (404 is final)', async () => {
    const subgraph = instance();
    await subgraph.server.start();
    try {
      const missing = await subgraph.execute(PATIENT('9111231130'));
      expect(missing.errors?.map((e) => e.extensions?.['code'])).toEqual(['NOT_FOUND']);
    } finally {
      await subgraph.server.stop();
      await subgraph.close();
    }
  });
});

describeWithRedis('stale-if-error shared through Redis', () => {
  it('serves a record kept by one instance from another while PDS fails', async () => {
    const env = { REDIS_URL: process.env['REDIS_URL'] ?? '', REDIS_KEY_PREFIX: `test-${randomUUID()}:` };
    const a = instance(env);
    const b = instance(env);
    await a.server.start();
    await b.server.start();
    try {
      const fresh = await a.execute(PATIENT('9000000009'));
      expect(fresh.errors).toBeUndefined();
      await setPdsFaults({ errorRate: 1, retryAfterSeconds: 0 });
      const stale = await b.execute(PATIENT('9000000009'));
      expect(stale.data?.['patient']).toMatchObject({
        nhsNumber: '9000000009',
        provenance: { stale: true },
      });
    } finally {
      await a.server.stop();
      await b.server.stop();
      await a.close();
      await b.close();
    }
  });
});
