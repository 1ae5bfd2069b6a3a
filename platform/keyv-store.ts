// Key-value stores for state that gateway replicas must share (registered persisted queries,
// rate-limit counters): Redis when REDIS_URL is set, otherwise a bounded map in this process.
// keyv 5 on purpose: @keyv/redis 5 expects it (ARCHITECTURE.md, known pitfalls).
import KeyvRedis, { createClient, type RedisClientType } from '@keyv/redis';
import { Keyv } from 'keyv';
import type { Logger } from './logger.js';

export type RedisConnection = RedisClientType;

/**
 * One Redis connection for the process, connecting in the background: commands sent meanwhile
 * wait in the client's queue. Errors are logged, never thrown from the event (an unhandled
 * `error` event would end the process), and the client reconnects by itself.
 * Close it with `redis.close()` on shutdown.
 */
export function createRedisConnection(url: string, logger: Logger): RedisConnection {
  const client: RedisClientType = createClient({ url });
  client.on('error', (error: unknown) => logger.warn({ err: error }, 'redis connection error'));
  client.connect().catch((error: unknown) => logger.error({ err: error }, 'could not connect to redis'));
  return client;
}

export interface KeyvStoreOptions {
  /** Shared Redis, or null for an in-process store. */
  redis: RedisConnection | null;
  /** The full key prefix, e.g. `nhs-graph:apq`: keys are `<namespace>:<key>`. */
  namespace: string;
  /** Bound on entries held in memory; Redis is bounded by its own eviction policy. */
  maxMemoryEntries?: number;
}

const DEFAULT_MAX_MEMORY_ENTRIES = 10_000;

export function createKeyvStore<T>(options: KeyvStoreOptions): Keyv<T> {
  if (options.redis) {
    const store = new KeyvRedis<T>(options.redis, { keyPrefixSeparator: ':' });
    // Keyv hands its namespace to the adapter, which prefixes keys; Keyv's own prefixing is off
    // so the namespace is not written twice (as @keyv/redis's createKeyv does it).
    return new Keyv<T>({ store, namespace: options.namespace, useKeyPrefix: false });
  }
  return new Keyv<T>({
    store: new BoundedMap(options.maxMemoryEntries ?? DEFAULT_MAX_MEMORY_ENTRIES),
    namespace: options.namespace,
  });
}

/** A Map that forgets its oldest entry when full, so callers cannot grow memory without bound. */
export class BoundedMap<K, V> extends Map<K, V> {
  constructor(private readonly maxEntries: number) {
    super();
  }

  override set(key: K, value: V): this {
    if (!this.has(key) && this.size >= this.maxEntries) {
      const oldest = this.keys().next();
      if (!oldest.done) this.delete(oldest.value);
    }
    return super.set(key, value);
  }
}
