// Key-value stores for state that gateway replicas must share (registered persisted queries,
// rate-limit counters): Redis when REDIS_URL is set, otherwise a bounded map in this process.
// keyv 5 on purpose: @keyv/redis 5 expects it (ARCHITECTURE.md, known pitfalls).
//
// Redis is shared state, never a dependency a read waits on: once connected, while it is away
// every command fails at once (no offline queue) or after REDIS_COMMAND_TIMEOUT_MS (a server
// that hangs), and
// each use falls back (README, "Resilience"): cache → miss, APQ → not found, rate limits →
// counters in this process, keyed writes → IDEMPOTENCY_UNAVAILABLE.
import { once } from 'node:events';
import KeyvRedis, { createClient, type RedisClientType } from '@keyv/redis';
import { Keyv } from 'keyv';
import { withTimeout } from './concurrency.js';
import { logContext, type Logger } from './logger.js';

export type RedisConnection = RedisClientType;

/** A command slower than this fails (the caller falls back); Redis answers in well under 1 ms. */
export const REDIS_COMMAND_TIMEOUT_MS = 500;
/** Reconnect attempts wait 50 ms, 100 ms, ... doubling up to this, for as long as Redis is away. */
export const REDIS_MAX_RECONNECT_DELAY_MS = 1000;
/** How long `closeRedisConnection` lets a connected client finish its commands before dropping it. */
const CLOSE_GRACE_MS = 1000;

/** The wait before reconnect attempt `retries` (0-based): bounded exponential back-off. */
export const reconnectDelay = (retries: number): number =>
  Math.min(50 * 2 ** Math.min(retries, 10), REDIS_MAX_RECONNECT_DELAY_MS);

/**
 * One Redis connection, connecting in the background. Until it first connects, commands wait
 * (each at most REDIS_COMMAND_TIMEOUT_MS), so a store used just after start-up works; once it has
 * connected, commands sent while the connection is lost are refused at once instead of queued
 * (a queue would hold every request until Redis returns). Errors are logged, never thrown from the
 * event (an unhandled `error` event would end the process), and the client reconnects by itself.
 *
 * Created outside any request's log context, wherever it is called from: the connection outlives
 * the request that happened to open it, and its reconnect/error lines belong to no request.
 * Close it with `closeRedisConnection` on shutdown.
 */
export function createRedisConnection(url: string, logger: Logger): RedisConnection {
  return logContext.exit(() => {
    const client: RedisClientType = createClient({
      url,
      disableOfflineQueue: false,
      commandOptions: { timeout: REDIS_COMMAND_TIMEOUT_MS },
      socket: { connectTimeout: REDIS_COMMAND_TIMEOUT_MS * 4, reconnectStrategy: reconnectDelay },
    });
    let down = false;
    client.on('error', (error: unknown) => {
      // Logged once per outage, not on every reconnect attempt.
      if (down) return;
      down = true;
      logger.warn({ err: error }, 'redis connection lost; shared stores fall back until it returns');
    });
    client.on('ready', () => {
      // The client reads this option on every command, so from now on it is refuse-when-offline.
      if (client.options) client.options.disableOfflineQueue = true;
      if (!down) return;
      down = false;
      logger.info('redis connection restored');
    });
    client.connect().catch((error: unknown) => logger.error({ err: error }, 'could not connect to redis'));
    return client;
  });
}

/**
 * Closes a connection for shutdown: a connected client sends QUIT after its pending replies
 * (bounded by a short grace); a disconnected one is dropped, because QUIT would wait for a
 * reconnect that may never come. A socket still being opened is out of `destroy()`'s reach in
 * node-redis 5 (it connects afterwards and holds the process open), so a client that is opening
 * gets the same grace to become ready, or to fail, first.
 */
export async function closeRedisConnection(client: RedisConnection): Promise<void> {
  if (!client.isOpen) return;
  if (!client.isReady) {
    // Rejects on the client's 'error' (Redis unreachable): then there is no socket to wait for.
    await withTimeout(once(client, 'ready'), CLOSE_GRACE_MS).catch(() => undefined);
  }
  if (!client.isReady) {
    if (client.isOpen) client.destroy();
    return;
  }
  await withTimeout(client.close(), CLOSE_GRACE_MS).catch(() => {
    if (client.isOpen) client.destroy();
  });
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
