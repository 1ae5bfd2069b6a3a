// Requests per client per fixed window: a partner by its client id, with the limit from its
// partner.json; a citizen or member of staff by their issuer's subject, with the configured
// default. Each operation counts (a batch of three is three). Counters live in Redis when
// REDIS_URL is set, so every replica counts against the same limit; in memory otherwise.
// Over the limit: 429, Retry-After, RATE_LIMITED, before anything is parsed or fetched.
// Redis away (or slower than REDIS_COMMAND_TIMEOUT_MS): each replica counts in its own memory
// until it returns. Failing closed would turn a cache outage into a full outage; not counting at
// all would leave clients unlimited. Per-replica counters still bound every client, at most
// (replicas × limit) per window while Redis is away.
import { createHash } from 'node:crypto';
import type { GatewayPlugin } from '@graphql-hive/gateway-runtime';
import { GraphQLError } from 'graphql';
import type { RateLimit } from './config.js';
import { ErrorCode } from '../platform/errors.js';
import { rateLimitRefusals } from '../platform/metrics.js';
import { withTimeout } from '../platform/concurrency.js';
import { REDIS_COMMAND_TIMEOUT_MS, type RedisConnection } from '../platform/keyv-store.js';
import type { Logger } from '../platform/logger.js';
import type { Principal } from '../platform/principal.js';
import { principalOf } from './authentication.js';
import { correlationIdOf } from './correlation.js';
import type { PartnerDirectory } from './partners.js';

export interface WindowCount {
  /** Requests counted in the current window, this one included. */
  count: number;
  /** Milliseconds until the window ends. */
  resetInMs: number;
}

export interface RateCounter {
  hit(key: string, windowMs: number): Promise<WindowCount>;
}

/** Counters in this process; expired windows are swept as the map grows. */
export function memoryCounter(now: () => number = Date.now): RateCounter {
  const windows = new Map<string, { count: number; endsAt: number }>();
  const SWEEP_ABOVE = 10_000;
  return {
    hit(key, windowMs) {
      const time = now();
      if (windows.size > SWEEP_ABOVE) {
        for (const [k, w] of windows) if (w.endsAt <= time) windows.delete(k);
      }
      let window = windows.get(key);
      if (!window || window.endsAt <= time) {
        window = { count: 0, endsAt: time + windowMs };
        windows.set(key, window);
      }
      window.count += 1;
      return Promise.resolve({ count: window.count, resetInMs: window.endsAt - time });
    },
  };
}

/** Counters shared by replicas: the window starts with the first request and expires in Redis. */
export function redisCounter(redis: RedisConnection, prefix: string): RateCounter {
  return {
    async hit(key, windowMs) {
      const redisKey = `${prefix}${key}`;
      // One round trip, atomic: start the window if there is none, count, and read what is left.
      const [, count, ttl] = await redis
        .multi()
        .set(redisKey, 0, { condition: 'NX', expiration: { type: 'PX', value: windowMs } })
        .incr(redisKey)
        .pTTL(redisKey)
        .exec();
      return { count: Number(count), resetInMs: Number(ttl) > 0 ? Number(ttl) : windowMs };
    },
  };
}

export interface ClientLimit {
  /** Never a token; first-party subjects are hashed so Redis holds no identifiers. */
  key: string;
  limit: RateLimit;
}

/** Pure: whose counter a request increments, and against which limit. */
export function clientLimitOf(
  principal: Principal,
  partners: PartnerDirectory,
  defaults: RateLimit,
): ClientLimit {
  if (principal.kind === 'partner') {
    return {
      key: `partner:${principal.subject}`,
      limit: partners.partner(principal.subject)?.config.rateLimit ?? defaults,
    };
  }
  const subject = createHash('sha256').update(`${principal.issuer}\n${principal.subject}`).digest('hex');
  return { key: `${principal.kind}:${subject.slice(0, 32)}`, limit: defaults };
}

export const rateLimited = (retryAfterSeconds: number): GraphQLError =>
  new GraphQLError(`Too many requests; try again in ${retryAfterSeconds} s.`, {
    extensions: {
      code: ErrorCode.RATE_LIMITED,
      retryAfter: retryAfterSeconds,
      http: { status: 429, headers: { 'Retry-After': String(retryAfterSeconds) } },
    },
  });

export interface RateLimitOptions {
  counter: RateCounter;
  partners: PartnerDirectory;
  defaults: RateLimit;
  logger: Logger;
}

export function useRateLimits({ counter, partners, defaults, logger }: RateLimitOptions): GatewayPlugin {
  const local = memoryCounter();
  let degraded = false;
  return {
    async onParams({ request }) {
      const principal = principalOf(request);
      // Unauthenticated requests were answered 401 already.
      if (!principal) return;
      const { key, limit } = clientLimitOf(principal, partners, defaults);
      let window: WindowCount;
      try {
        window = await withTimeout(counter.hit(key, limit.windowSeconds * 1000), REDIS_COMMAND_TIMEOUT_MS);
        if (degraded) logger.info('rate-limit counters shared again');
        degraded = false;
      } catch (error) {
        if (!degraded)
          logger.error(
            { err: error, correlationId: correlationIdOf(request) },
            'rate-limit counters unavailable; counting in this process until they return',
          );
        degraded = true;
        window = await local.hit(key, limit.windowSeconds * 1000);
      }
      if (window.count > limit.requests) {
        rateLimitRefusals.inc({ client_kind: principal.kind });
        throw rateLimited(Math.max(1, Math.ceil(window.resetInMs / 1000)));
      }
    },
  };
}
