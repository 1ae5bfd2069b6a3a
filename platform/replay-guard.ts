// Single use of the gateway's internal tokens (platform/internal-token.ts): a subgraph remembers
// each token's `jti` until the token expires and refuses it a second time, so a token seen on the
// wire cannot be sent again, even with the exact request it signs.
//
// By default a subgraph process remembers the ids it has seen itself (bounded). With REDIS_URL the
// replicas of a subgraph share one seen-set (SET NX PX), so a token replayed to another replica is
// refused too. A Redis outage must not stop reads: a Redis check that cannot answer within
// `timeoutMs` (or while the connection is down) falls back to this process's own memory — a
// replay to the same replica is still refused, one to another replica during the outage is not.
import { withTimeout } from './concurrency.js';
import type { RedisConnection } from './keyv-store.js';
import type { Logger } from './logger.js';

/**
 * `accepted`: first use, now remembered. `replayed`: seen before (refuse). `overloaded`: this
 * process holds as many unexpired ids as it may and cannot remember another (refuse; retry soon).
 */
export type TokenUse = 'accepted' | 'replayed' | 'overloaded';

export interface ReplayGuard {
  /** Records the first use of `tokenId`, remembered until `expiresAt` (ms since the epoch). */
  use(tokenId: string, expiresAt: number): Promise<TokenUse>;
  close(): Promise<void>;
}

/**
 * Unexpired token ids one process remembers: 60 s tokens allow about 1,500 subgraph requests a
 * second per process before refusing (a forgotten id could be replayed, so the oldest is never
 * dropped early).
 * @default 100000
 */
export const DEFAULT_MAX_REMEMBERED = 100_000;

export function createMemoryReplayGuard(
  maxRemembered = DEFAULT_MAX_REMEMBERED,
  now: () => number = Date.now,
): ReplayGuard {
  // Insertion order is close to expiry order (every token lives as long), so expired ids are
  // dropped from the front.
  const seen = new Map<string, number>();
  const forgetExpired = (at: number) => {
    for (const [id, expiresAt] of seen) {
      if (expiresAt > at) break;
      seen.delete(id);
    }
  };
  return {
    use(tokenId, expiresAt) {
      const at = now();
      const known = seen.get(tokenId);
      if (known !== undefined && known > at) return Promise.resolve('replayed');
      forgetExpired(at);
      if (seen.size >= maxRemembered) return Promise.resolve('overloaded');
      seen.set(tokenId, expiresAt);
      return Promise.resolve('accepted');
    },
    close: () => Promise.resolve(),
  };
}

export interface RedisReplayGuardOptions {
  /** The process's connection (platform/keyv-store.ts createRedisConnection); its owner closes it. */
  redis: RedisConnection;
  /** Key prefix, e.g. `nhs-graph:jti:demographics:`. */
  prefix: string;
  logger: Logger;
  /**
   * How long a read may wait for Redis before this process's memory decides alone (ms).
   * @default 200
   */
  timeoutMs?: number;
}

export function createRedisReplayGuard(options: RedisReplayGuardOptions): ReplayGuard {
  const { redis, prefix, logger, timeoutMs = 200 } = options;
  const local = createMemoryReplayGuard();
  let degraded = false;
  const fallBack = (error: unknown): TokenUse => {
    if (!degraded) logger.warn({ err: error }, 'replay guard: redis unavailable, using this process only');
    degraded = true;
    return 'accepted';
  };
  return {
    async use(tokenId, expiresAt) {
      // Checked here first: a replay to this replica is refused even while Redis is away.
      const locally = await local.use(tokenId, expiresAt);
      if (locally !== 'accepted') return locally;
      if (!redis.isReady) return fallBack(new Error('redis not connected'));
      const ttl = Math.max(1, expiresAt - Date.now());
      try {
        const set = await withTimeout(
          redis.set(prefix + tokenId, '1', { condition: 'NX', expiration: { type: 'PX', value: ttl } }),
          timeoutMs,
        );
        if (degraded) logger.info('replay guard: redis available again');
        degraded = false;
        return set === null ? 'replayed' : 'accepted';
      } catch (error) {
        return fallBack(error);
      }
    },
    close: () => local.close(),
  };
}
