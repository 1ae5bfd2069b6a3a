// Cache tiers: TTLs from configuration, one namespace per tier, no tokens in keys, failures as
// misses; and with REDIS_URL (CI sets it), one cache shared by separately created instances, as
// replicas share it.
import { randomUUID } from 'node:crypto';
import { createClient } from '@keyv/redis';
import { assertSafeKey, createCache, type Cache } from './cache.js';
import { loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { cacheLookups } from './metrics.js';

const describeWithRedis = process.env['REDIS_URL'] ? describe : describe.skip;

const logger = createLogger('test', 'silent');

function cacheWith(env: Record<string, string>): Cache {
  return createCache(loadConfig(env), logger);
}

describe('cache tiers in memory (no REDIS_URL)', () => {
  let cache: Cache;
  beforeEach(() => {
    cache = cacheWith({ CACHE_TTL_DIRECTORY_SECONDS: '1', CACHE_TTL_REFERENCE_SECONDS: '60' });
  });
  afterEach(() => cache.close());

  it('takes each tier’s TTL from configuration, with the documented defaults', () => {
    expect(cache.backend).toBe('memory');
    expect(cache.tier('daily').ttlSeconds).toBe(1);
    expect(cache.tier('per-release').ttlSeconds).toBe(60);
    const defaults = cacheWith({});
    expect(
      ['per-release', 'daily', 'minutes', 'none'].map((t) => defaults.tier(t as never).ttlSeconds),
    ).toEqual([30 * 86_400, 86_400, 300, 0]);
  });

  it('returns what was stored, with when it was stored', async () => {
    const before = new Date().toISOString();
    await cache
      .tier('per-release')
      .set('ods|Organization/G81086', { resourceType: 'Organization', id: 'G81086' });
    const entry = await cache.tier('per-release').get('ods|Organization/G81086');
    expect(entry?.value).toEqual({ resourceType: 'Organization', id: 'G81086' });
    expect((entry?.storedAt ?? '') >= before).toBe(true);
  });

  it('stores a copy, so a caller mutating its object cannot change the cache', async () => {
    const value = { name: 'BIRD-IN-EYE SURGERY' };
    await cache.tier('per-release').set('k', value);
    value.name = 'changed';
    expect((await cache.tier('per-release').get('k'))?.value).toEqual({ name: 'BIRD-IN-EYE SURGERY' });
  });

  it('keeps tiers apart: the same key in two tiers is two entries', async () => {
    await cache.tier('per-release').set('same-key', 'reference value');
    await cache.tier('daily').set('same-key', 'directory value');
    expect((await cache.tier('per-release').get('same-key'))?.value).toBe('reference value');
    expect((await cache.tier('daily').get('same-key'))?.value).toBe('directory value');
    expect(await cache.tier('minutes').get('same-key')).toBeUndefined();
  });

  it('forgets an entry after the tier’s TTL', async () => {
    await cache.tier('daily').set('short-lived', 1);
    expect(await cache.tier('daily').get('short-lived')).toBeDefined();
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(await cache.tier('daily').get('short-lived')).toBeUndefined();
  });

  it('counts hits and misses per tier in nhs_graph_cache_lookups_total', async () => {
    const count = async (result: string) =>
      (await cacheLookups.get()).values.find(
        (v) => v.labels.tier === 'per-release' && v.labels.result === result,
      )?.value ?? 0;
    const [hits, misses] = [await count('hit'), await count('miss')];
    await cache.tier('per-release').get('counted');
    await cache.tier('per-release').set('counted', 1);
    await cache.tier('per-release').get('counted');
    expect([await count('hit'), await count('miss')]).toEqual([hits + 1, misses + 1]);
  });

  it('never stores anything in the none tier', async () => {
    await cache.tier('none').set('volatile', { allergies: [] });
    expect(await cache.tier('none').get('volatile')).toBeUndefined();
  });

  it('is not shared between two memory caches (each process has its own)', async () => {
    const other = cacheWith({});
    await cache.tier('per-release').set('mine', 1);
    expect(await other.tier('per-release').get('mine')).toBeUndefined();
    await other.close();
  });
});

describe('cache keys', () => {
  it.each([
    ['a bearer header', 'ods|Bearer abc'],
    ['a JWT', 'pds|eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.c2lnbmF0dXJl|Patient/9000000009'],
    ['nothing', ''],
  ])('refuses a key holding %s, in every tier', async (_what, key) => {
    expect(() => assertSafeKey(key)).toThrow();
    const cache = cacheWith({});
    for (const tier of ['per-release', 'daily', 'minutes', 'none'] as const) {
      await expect(cache.tier(tier).get(key)).rejects.toThrow();
      await expect(cache.tier(tier).set(key, 1)).rejects.toThrow();
    }
    await cache.close();
  });

  it('accepts an upstream, base URL and path', () => {
    expect(() =>
      assertSafeKey(
        'ODS|https://int.api.service.nhs.uk/organisation-data-terminology-api/fhir|/Organization/G81086',
      ),
    ).not.toThrow();
  });
});

describe('when the cache cannot be reached', () => {
  // Each operation gives up after CACHE_OPERATION_TIMEOUT_MS; speed itself is the benchmark's job.
  it('treats reads as misses and writes as no-ops, without throwing', async () => {
    const cache = cacheWith({ REDIS_URL: 'redis://127.0.0.1:1' });
    expect(cache.backend).toBe('redis');
    await expect(cache.tier('daily').set('k', 1)).resolves.toEqual(expect.any(String));
    await expect(cache.tier('daily').get('k')).resolves.toBeUndefined();
    await cache.close();
  });

  // An outage used to log one 'cache error' and one 'cache unavailable' line per operation.
  it('logs an outage once per tier and message, not once per operation', async () => {
    const lines: Array<{ msg: string; tier?: string }> = [];
    const capture = createLogger('test', 'warn', {
      write: (line: string) => void lines.push(JSON.parse(line) as { msg: string; tier?: string }),
    });
    const cache = createCache(loadConfig({ REDIS_URL: 'redis://127.0.0.1:1' }), capture);
    for (let i = 0; i < 20; i += 1) await cache.tier('daily').get(`k${i}`);
    await cache.close();
    const perTier = lines.filter((line) => line.tier === 'daily').map((line) => line.msg);
    expect(perTier.filter((msg) => msg === 'cache unavailable; treated as a miss')).toHaveLength(1);
    expect(perTier.filter((msg) => msg === 'cache error').length).toBeLessThanOrEqual(1);
  });
});

describeWithRedis('cache tiers in Redis (REDIS_URL set)', () => {
  const redisUrl = process.env['REDIS_URL'] ?? '';
  // A prefix of its own per run, so concurrent runs and other tests never meet these keys.
  const keyPrefix = `nhs-graph-test-${randomUUID()}:`;
  const env = { REDIS_URL: redisUrl, REDIS_KEY_PREFIX: keyPrefix, CACHE_TTL_DIRECTORY_SECONDS: '120' };
  const raw = createClient({ url: redisUrl });
  let replicaA: Cache;
  let replicaB: Cache;

  beforeAll(async () => {
    await raw.connect();
    replicaA = cacheWith(env);
    replicaB = cacheWith(env);
  });

  afterAll(async () => {
    const keys = await raw.keys(`${keyPrefix}*`);
    if (keys.length > 0) await raw.del(keys);
    await raw.close();
    await replicaA.close();
    await replicaB.close();
  });

  it('shares entries between separately created caches, as replicas share one Redis', async () => {
    await replicaA.tier('daily').set('ODS|sandbox|/Organization/G81086', { id: 'G81086' });
    const seen = await replicaB.tier('daily').get('ODS|sandbox|/Organization/G81086');
    expect(seen?.value).toEqual({ id: 'G81086' });
  });

  it('writes each key once under its tier’s namespace, with the tier’s TTL', async () => {
    await replicaA.tier('daily').set('ODS|x|/Organization/Q72', { id: 'Q72' });
    const keys = await raw.keys(`${keyPrefix}*Q72`);
    expect(keys).toEqual([`${keyPrefix}cache:daily:ODS|x|/Organization/Q72`]);
    const ttlMs = await raw.pTTL(keys[0] ?? '');
    expect(ttlMs).toBeGreaterThan(100_000);
    expect(ttlMs).toBeLessThanOrEqual(120_000);
  });

  it('keeps tiers apart in Redis too', async () => {
    await replicaA.tier('per-release').set('shared-name', 'reference');
    expect(await replicaB.tier('daily').get('shared-name')).toBeUndefined();
    expect((await replicaB.tier('per-release').get('shared-name'))?.value).toBe('reference');
  });
});
