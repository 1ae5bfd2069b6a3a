// Cache tiers, named for how fresh their data must be (the variables keep their first names):
//   per-release   fixed per release (dm+d, code systems)            CACHE_TTL_REFERENCE_SECONDS
//   daily         slow-changing directories (ODS organisations)    CACHE_TTL_DIRECTORY_SECONDS
//   minutes       personal or per-caller data kept for minutes       CACHE_TTL_DEMOGRAPHICS_SECONDS
//                 (PDS stale-if-error copies; e-RS services)
//   none          never stored (volatile clinical data)
// keyv in memory by default; Redis when REDIS_URL is set, so replicas share one cache. Each tier is
// its own namespace (`<REDIS_KEY_PREFIX>cache:<tier>:<key>`). Entries are upstream data only:
// never an authorisation decision, never anything per caller, and a key never holds a token
// (apollo-server #4486: a cache keyed without everything that changes the answer leaked data).
// The cache is an optimisation: when it fails or is slow, reads go to the upstream as if it missed.
import type { Keyv } from 'keyv';
import type { CacheConfig, Config } from './config.js';
import { withTimeout } from './concurrency.js';
import { closeRedisConnection, createKeyvStore, createRedisConnection } from './keyv-store.js';
import type { Logger } from './logger.js';
import { throttledWarning } from './log-throttle.js';
import { cacheLookups } from './metrics.js';
import { recordCacheLookup } from './upstream-stats.js';
import { recordCacheLookupOnSpan } from './tracing.js'; // tracing (H21t)

export const CACHE_TIERS = ['per-release', 'daily', 'minutes', 'none'] as const;
export type CacheTierName = (typeof CACHE_TIERS)[number];

/** A stored upstream payload and when nhs-graph received it (for Provenance.retrievedAt). */
export interface CachedEntry {
  value: unknown;
  storedAt: string;
}

export interface CacheTier {
  readonly name: CacheTierName;
  /** 0 for the `none` tier. */
  readonly ttlSeconds: number;
  /** The entry, or undefined on a miss, an expired entry, or a cache failure. */
  get(key: string): Promise<CachedEntry | undefined>;
  /**
   * Stores upstream data (JSON) for the tier's TTL, or `ttlSeconds` when given (e.g. a
   * stale-if-error window past the TTL); a failure is logged, never thrown. Returns the entry's
   * `storedAt`, so a source can stamp a fresh read with the same time a cached one will carry.
   */
  set(key: string, value: unknown, ttlSeconds?: number): Promise<string>;
  delete(key: string): Promise<void>;
}

export interface Cache {
  /** Where entries live: this process, or the shared Redis. */
  readonly backend: 'memory' | 'redis';
  tier(name: CacheTierName): CacheTier;
  /** Closes Redis connections; call once on shutdown. */
  close(): Promise<void>;
}

/** A cache operation slower than this counts as a miss: the cache must never hold up a read. */
export const CACHE_OPERATION_TIMEOUT_MS = 500;
/** Memory tiers forget their oldest entry beyond this, so a long-running process stays bounded. */
const MAX_MEMORY_ENTRIES = 10_000;

export function createCache(config: Pick<Config, 'redis'> & { cache: CacheConfig }, logger: Logger): Cache {
  // One connection for every tier, opened now rather than by the first request that reads.
  const redis = config.redis.url === null ? null : createRedisConnection(config.redis.url, logger);
  const tiers = new Map<CacheTierName, CacheTier>();
  for (const name of CACHE_TIERS) {
    if (name === 'none') {
      tiers.set(name, NONE);
      continue;
    }
    // Keys are `<namespace>:<key>` in Redis; memory tiers forget their oldest entry when full.
    const store = createKeyvStore<CachedEntry>({
      redis,
      namespace: `${config.redis.keyPrefix}cache:${name}`,
      maxMemoryEntries: MAX_MEMORY_ENTRIES,
    });
    const storeError = throttledWarning(logger, 'cache error');
    store.on('error', (error: unknown) => storeError({ err: error, tier: name }));
    tiers.set(name, keyvTier(name, config.cache.ttlSeconds[name], store, logger));
  }
  return {
    backend: redis === null ? 'memory' : 'redis',
    tier: (name) => tiers.get(name) ?? NONE,
    close: async () => {
      if (redis) await closeRedisConnection(redis);
    },
  };
}

// Volatile data: keys are still checked, so a bad key fails the same way in every tier.
const NONE: CacheTier = {
  name: 'none',
  ttlSeconds: 0,
  get: async (key) => {
    assertSafeKey(key);
    return Promise.resolve(undefined);
  },
  set: async (key) => {
    assertSafeKey(key);
    return Promise.resolve(new Date().toISOString());
  },
  delete: async (key) => {
    assertSafeKey(key);
    return Promise.resolve();
  },
};

function keyvTier(
  name: CacheTierName,
  ttlSeconds: number,
  store: Keyv<CachedEntry>,
  logger: Logger,
): CacheTier {
  // Once a minute per tier during an outage, not once per operation.
  const unavailable = throttledWarning(logger, 'cache unavailable; treated as a miss');
  const guarded = async <T>(operation: string, run: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await withTimeout(run(), CACHE_OPERATION_TIMEOUT_MS);
    } catch (error) {
      // The key is not logged: it names what was looked up, which logs need not carry.
      unavailable({ err: error, tier: name, operation });
      return undefined;
    }
  };
  return {
    name,
    ttlSeconds,
    async get(key) {
      assertSafeKey(key);
      const entry = await guarded('get', () => store.get(key));
      const hit = isEntry(entry);
      // A failed or timed-out lookup is a miss: the read goes to the upstream.
      cacheLookups.inc({ tier: name, result: hit ? 'hit' : 'miss' });
      recordCacheLookup(name, hit ? Date.now() - Date.parse(entry.storedAt) : null);
      recordCacheLookupOnSpan(name, hit); // tracing (H21t)
      return hit ? entry : undefined;
    },
    async set(key, value, lifetimeSeconds = ttlSeconds) {
      assertSafeKey(key);
      const entry: CachedEntry = { value, storedAt: new Date().toISOString() };
      await guarded('set', () => store.set(key, entry, lifetimeSeconds * 1000));
      return entry.storedAt;
    },
    async delete(key) {
      assertSafeKey(key);
      await guarded('delete', () => store.delete(key));
    },
  };
}

// A bearer token or JWT in a key would put a credential in Redis and make entries per caller.
const CREDENTIAL = /bearer|eyJ[\w-]{5,}\.[\w-]{5,}/i;
const MAX_KEY_LENGTH = 1024;

/** Refuses keys that could hold a credential; a programming error, so it throws. */
export function assertSafeKey(key: string): void {
  if (key === '' || key.length > MAX_KEY_LENGTH) throw new Error('cache key must be 1–1024 characters');
  if (CREDENTIAL.test(key)) throw new Error('cache key must never contain a token');
}

const isEntry = (value: unknown): value is CachedEntry =>
  typeof value === 'object' &&
  value !== null &&
  'storedAt' in value &&
  typeof value.storedAt === 'string' &&
  'value' in value;
