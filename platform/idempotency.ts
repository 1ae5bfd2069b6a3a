// Idempotent writes: a mutation carrying an `idempotencyKey` writes upstream at most once, however
// often the client (or a replica behind a load balancer) sends it. The first call claims the key
// atomically (Redis `SET NX` when REDIS_URL is set, so every replica sees the claim; a map in this
// process otherwise), runs the write and stores its outcome; a repeat returns that outcome.
//
// What is remembered, per caller, operation and key:
// - a result, or a definite refusal (the upstream said no: CONFLICT, NOT_FOUND, ...): replayed;
// - nothing after an ambiguous failure (no answer, 5xx, rate limit, audit down): the key is
//   released so the client's retry runs the write again. That retry sends the same upstream
//   request id (`requestIdFor`), which PDS de-duplicates on, so an ambiguous write that did land
//   is not applied twice.
// The key store failing refuses the write (IDEMPOTENCY_UNAVAILABLE): without it, "once" cannot
// be promised, and a clinical write must not be sent twice.
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { GraphQLError } from 'graphql';
import { withTimeout } from './concurrency.js';
import type { Config } from './config.js';
import { ErrorCode, errorCodeOf, graphError } from './errors.js';
import { BoundedMap, closeRedisConnection, createRedisConnection } from './keyv-store.js';
import type { Logger } from './logger.js';

/** Who asks for which write: the key is only ever matched within the same caller and operation. */
export interface IdempotentWrite {
  /** The mutation, e.g. `updatePatientAddress`. */
  operation: string;
  /** The caller's stable identity (Principal subject): one caller cannot replay another's result. */
  caller: string;
  /** The client's idempotency key, as sent. */
  key: string;
  /** The write's input: the same key sent with different input is refused, not replayed. */
  input: unknown;
}

export interface IdempotencyStore {
  readonly backend: 'memory' | 'redis';
  /**
   * Runs `write` at most once per caller, operation and key (within IDEMPOTENCY_TTL_SECONDS).
   * A repeat with the same input returns the first result, or throws the first definite error;
   * with different input it throws IDEMPOTENCY_KEY_REUSED. While the first call is still
   * running (on any replica) a repeat waits for it, then throws WRITE_IN_PROGRESS. The result
   * must be JSON: it is what a repeat receives.
   */
  once<T>(claim: IdempotentWrite, write: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface IdempotencyOptions {
  /** How long a finished write's outcome is remembered. */
  ttlSeconds: number;
  /** How long a claim holds while its write runs; a replica that died mid-write frees it then. */
  pendingSeconds?: number;
  /** How long a repeat waits for a running write before answering WRITE_IN_PROGRESS. */
  waitMs?: number;
}

/** 16 to 128 characters of letters, digits, `-` and `_` (a UUID fits). */
const KEY_PATTERN = /^[A-Za-z0-9_-]{16,128}$/;
const DEFAULT_PENDING_SECONDS = 60;
const DEFAULT_WAIT_MS = 5000;
const POLL_MS = 100;
/** A key-store operation slower than this counts as the store being down. */
const STORE_TIMEOUT_MS = 2000;
const MAX_MEMORY_KEYS = 10_000;
/** Failures after which the write may or may not have happened, or certainly did not: retryable. */
const RELEASING_CODES = new Set<string>([
  ErrorCode.UPSTREAM_UNAVAILABLE,
  ErrorCode.RATE_LIMITED,
  ErrorCode.AUDIT_UNAVAILABLE,
  ErrorCode.IDEMPOTENCY_UNAVAILABLE,
  // Refused only until the service answers again: a later repeat should get its chance.
  ErrorCode.STALE_DATA_REFUSED,
]);

type Outcome =
  | { state: 'pending'; fingerprint: string }
  | { state: 'done'; fingerprint: string; result: unknown }
  | { state: 'refused'; fingerprint: string; message: string; extensions: Record<string, unknown> };

/** The storage underneath: an atomic claim, a read, an overwrite and a release. */
interface OutcomeBackend {
  claim(id: string, outcome: Outcome, ttlSeconds: number): Promise<boolean>;
  read(id: string): Promise<Outcome | undefined>;
  write(id: string, outcome: Outcome, ttlSeconds: number): Promise<void>;
  release(id: string): Promise<void>;
  close(): Promise<void>;
}

export function createIdempotencyStore(
  config: Pick<Config, 'redis'> & { idempotency: IdempotencyOptions },
  logger: Logger,
): IdempotencyStore {
  const backend =
    config.redis.url === null
      ? memoryBackend()
      : redisBackend(config.redis.url, `${config.redis.keyPrefix}idempotency:`, logger);
  return idempotencyStore(
    config.redis.url === null ? 'memory' : 'redis',
    backend,
    config.idempotency,
    logger,
  );
}

/** A store for one process (tests, and subgraphs run without shared state). */
export const createMemoryIdempotencyStore = (options: IdempotencyOptions, logger: Logger): IdempotencyStore =>
  idempotencyStore('memory', memoryBackend(), options, logger);

function idempotencyStore(
  kind: 'memory' | 'redis',
  backend: OutcomeBackend,
  options: IdempotencyOptions,
  logger: Logger,
): IdempotencyStore {
  const pendingSeconds = options.pendingSeconds ?? DEFAULT_PENDING_SECONDS;
  const waitMs = options.waitMs ?? DEFAULT_WAIT_MS;
  const guarded = async <T>(run: () => Promise<T>): Promise<T> => {
    try {
      return await withTimeout(run(), STORE_TIMEOUT_MS);
    } catch (error) {
      logger.error({ err: error }, 'idempotency store unavailable; write refused');
      throw graphError(
        ErrorCode.IDEMPOTENCY_UNAVAILABLE,
        'nhs-graph cannot guarantee this write happens only once just now, so it was not sent; try again later.',
      );
    }
  };

  const replay = <T>(outcome: Outcome, fingerprint: string): T => {
    if (outcome.fingerprint !== fingerprint)
      throw graphError(
        ErrorCode.IDEMPOTENCY_KEY_REUSED,
        'This idempotencyKey was already used for a different request; use a new key for a new write.',
        { argument: 'idempotencyKey' },
      );
    if (outcome.state === 'refused')
      throw new GraphQLError(outcome.message, { extensions: outcome.extensions });
    return (outcome as { result: T }).result;
  };

  return {
    backend: kind,
    async once<T>(claim: IdempotentWrite, write: () => Promise<T>): Promise<T> {
      if (!KEY_PATTERN.test(claim.key))
        throw graphError(
          ErrorCode.BAD_USER_INPUT,
          'idempotencyKey must be 16 to 128 letters, digits, "-" or "_" (a UUID will do).',
          { argument: 'idempotencyKey' },
        );
      const id = storageId(claim);
      const fingerprint = digest(stableJson(claim.input));
      const claimed = await guarded(() =>
        backend.claim(id, { state: 'pending', fingerprint }, pendingSeconds),
      );
      if (!claimed) return replay<T>(await waitForOutcome(id), fingerprint);

      let result: T;
      try {
        result = await write();
      } catch (error) {
        const code = errorCodeOf(error);
        if (error instanceof GraphQLError && code !== undefined && !RELEASING_CODES.has(code)) {
          const refused: Outcome = {
            state: 'refused',
            fingerprint,
            message: error.message,
            extensions: { ...error.extensions },
          };
          await backend.write(id, refused, options.ttlSeconds).catch((e: unknown) => {
            logger.warn({ err: e }, 'could not store a refused write; a repeat will run it again');
            return backend.release(id).catch(() => undefined);
          });
        } else {
          await backend.release(id).catch((e: unknown) => {
            logger.warn(
              { err: e },
              'could not release an idempotency key; it frees itself when its claim expires',
            );
          });
        }
        throw error;
      }
      // The write happened: failing to remember it must not turn success into an error.
      await backend
        .write(id, { state: 'done', fingerprint, result }, options.ttlSeconds)
        .catch((e: unknown) => {
          logger.error(
            { err: e },
            'could not store a write result; a repeat within the claim window waits, then conflicts',
          );
        });
      return result;
    },
    close: () => backend.close(),
  };

  async function waitForOutcome(id: string): Promise<Outcome> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const outcome = await guarded(() => backend.read(id));
      // Released meanwhile (an ambiguous failure): the client may simply send it again.
      if (outcome === undefined || (outcome.state === 'pending' && Date.now() >= deadline))
        throw graphError(
          ErrorCode.WRITE_IN_PROGRESS,
          'A request with this idempotencyKey is still being processed or has just failed; send it again shortly.',
          { argument: 'idempotencyKey', retryAfter: 1 },
        );
      if (outcome.state !== 'pending') return outcome;
      await sleep(POLL_MS);
    }
  }
}

/**
 * A deterministic UUID (RFC 4122 version 5) for a keyed write, sent upstream as its request id
 * (PDS X-Request-ID, GP Connect Ssp-TraceID): a repeat of an ambiguous write carries the same id,
 * so an upstream that de-duplicates on it applies the write once.
 */
export function requestIdFor(claim: Pick<IdempotentWrite, 'operation' | 'caller' | 'key'>): string {
  const hash = createHash('sha1').update(NAMESPACE).update(storageId(claim)).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

// The UUID namespace of nhs-graph's write request ids (a fixed random UUID, as bytes).
const NAMESPACE = Buffer.from('6f1c1f4e8a2d4f0b9d6e2b7c5a3e9f10', 'hex');

/** Hashed, so a key store never holds a caller's identity or key in clear. */
const storageId = (claim: Pick<IdempotentWrite, 'operation' | 'caller' | 'key'>): string =>
  digest(`${claim.operation}\u0000${claim.caller}\u0000${claim.key}`);

const digest = (text: string): string => createHash('sha256').update(text).digest('hex');

/** JSON with object keys sorted, so the same input always fingerprints the same. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function memoryBackend(): OutcomeBackend {
  const entries = new BoundedMap<string, { outcome: Outcome; expiresAt: number }>(MAX_MEMORY_KEYS);
  const live = (id: string) => {
    const entry = entries.get(id);
    if (entry && entry.expiresAt <= Date.now()) entries.delete(id);
    return entry && entry.expiresAt > Date.now() ? entry : undefined;
  };
  const put = (id: string, outcome: Outcome, ttlSeconds: number) =>
    entries.set(id, { outcome, expiresAt: Date.now() + ttlSeconds * 1000 });
  return {
    claim: async (id, outcome, ttlSeconds) => {
      if (live(id)) return Promise.resolve(false);
      put(id, outcome, ttlSeconds);
      return Promise.resolve(true);
    },
    read: async (id) => Promise.resolve(live(id)?.outcome),
    write: async (id, outcome, ttlSeconds) => {
      put(id, outcome, ttlSeconds);
      return Promise.resolve();
    },
    release: async (id) => {
      entries.delete(id);
      return Promise.resolve();
    },
    close: async () => Promise.resolve(),
  };
}

/**
 * Connects when the store is made, not by the first write: a connection opened inside a request
 * would carry that request's log context into every later reconnect line. While Redis is away
 * every operation fails at once (no offline queue), so a keyed write is refused promptly.
 */
function redisBackend(url: string, prefix: string, logger: Logger): OutcomeBackend {
  const redis = createRedisConnection(url, logger);
  return {
    claim: async (id, outcome, ttlSeconds) =>
      (await redis.set(prefix + id, JSON.stringify(outcome), { NX: true, EX: ttlSeconds })) === 'OK',
    read: async (id) => {
      const text = await redis.get(prefix + id);
      return text === null ? undefined : (JSON.parse(text) as Outcome);
    },
    write: async (id, outcome, ttlSeconds) => {
      await redis.set(prefix + id, JSON.stringify(outcome), { EX: ttlSeconds });
    },
    release: async (id) => {
      await redis.del(prefix + id);
    },
    close: () => closeRedisConnection(redis),
  };
}
