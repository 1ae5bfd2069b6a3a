// Configuration is read once at start-up from the environment, validated, and passed in. Nothing
// else in the code reads process.env. This file holds only what every process shares; the gateway
// declares its edge settings in gateway/config.ts and each subgraph its own in its manifest.ts
// (platform/manifest.ts derives their variables). Each option's default and meaning are stated
// once, where it is declared (`.describe()`), and docs/configuration.md is generated from them
// (scripts/config-reference.ts).
import { z } from 'zod';

// Variable kinds, shared by every module that declares variables.
export const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);
export const optionalUrl = () => z.url({ protocol: /^https?$/ }).optional();
export const millis = (fallback: number) => z.coerce.number().int().positive().default(fallback);
export const count = (fallback: number) => z.coerce.number().int().positive().default(fallback);
/** A size where 0 means "none kept" (a cache that can be switched off). */
export const sizeOrZero = (fallback: number) => z.coerce.number().int().min(0).default(fallback);

/** A module's environment variables: name -> zod schema (with its default and `.describe()`d meaning). */
export type VariableShape = Record<string, z.ZodType>;

/** Variables every process reads, grouped by concern. */
export const sharedVariables = {
  // The process.
  NODE_ENV: z
    .enum(['development', 'test', 'production'])
    .default('development')
    .describe(
      '`production` turns off GraphiQL and introspection, hides /metrics and /status without OPERATIONS_TOKEN, and requires INTERNAL_TOKEN_SECRET.',
    ),
  LOG_LEVEL: z
    .enum(['trace', 'debug', 'info', 'warn', 'error', 'silent'])
    .default('info')
    .describe('pino level (`npm start` sets `warn` unless LOG_LEVEL is given).'),
  HOST: z.string().default('127.0.0.1').describe('Interface every process listens on.'),
  SANDBOX_PORT: port(4010).describe(
    "Port of the local sandbox upstreams; every upstream's base URL defaults to the sandbox on this machine.",
  ),

  // Trust between the gateway and the subgraphs.
  INTERNAL_TOKEN_SECRET: z
    .string()
    .min(32, 'must be at least 32 characters')
    .optional()
    .describe(
      'Key the gateway and subgraphs share to sign and verify the internal token (32+ characters); required in production, a local development secret otherwise.',
    ),

  // Redis.
  REDIS_URL: z
    .url({ protocol: /^rediss?$/ })
    .optional()
    .describe(
      'Redis shared by replicas (cache tiers, persisted queries, rate-limit counters, idempotency keys, internal tokens already used); unset: in memory, per process.',
    ),
  REDIS_KEY_PREFIX: z
    .string()
    .regex(/^[\w.:-]+$/, 'letters, digits and . : _ - only')
    .default('nhs-graph:')
    .describe('Prefix of every Redis key nhs-graph writes, so environments can share one Redis.'),

  // The audit store.
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional()
    .describe(
      'Postgres for the audit trail (e.g. postgres://postgres@127.0.0.1:5432/test); unset: embedded files.',
    ),
  AUDIT_PG_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]*$/, 'must be a lower-case SQL identifier')
    .default('nhs_graph_audit')
    .describe('Postgres schema holding the audit trail.'),
  AUDIT_DIR: z
    .string()
    .min(1)
    .default('.data/audit')
    .describe('Folder of the embedded audit store, used when DATABASE_URL is unset.'),

  // Upstream calls (platform/http.ts): the retry policy every upstream that retries shares.
  UPSTREAM_RETRY_ATTEMPTS: count(3).describe('Attempts per idempotent upstream read, the first included.'),
  UPSTREAM_RETRY_BUDGET_MS: millis(10_000).describe(
    'Time one logical upstream call may take across its retries and back-off.',
  ),
  UPSTREAM_MAX_RETRY_AFTER_SECONDS: count(5).describe(
    'The longest Retry-After nhs-graph waits out; a longer one fails the call at once.',
  ),

  // Cache tiers (platform/cache.ts).
  CACHE_TTL_DIRECTORY_SECONDS: count(86_400).describe(
    'Lifetime of the `daily` cache tier (ODS organisations); in Redis under `<REDIS_KEY_PREFIX>cache:daily:` when REDIS_URL is set.',
  ),
  CACHE_TTL_DEMOGRAPHICS_SECONDS: count(300).describe(
    "Lifetime of the `minutes` cache tier (PDS; e-RS services, keyed by the caller's organisation and business function; e-RS referrals are never cached).",
  ),
  CACHE_TTL_REFERENCE_SECONDS: count(30 * 86_400).describe(
    'Lifetime of the `per-release` cache tier (data fixed per release, such as dm+d).',
  ),

  // Keyed writes (platform/idempotency.ts).
  IDEMPOTENCY_TTL_SECONDS: count(86_400).describe(
    'How long the outcome of a write with an idempotencyKey is remembered.',
  ),
} satisfies VariableShape;

export type SharedVariables = z.infer<z.ZodObject<typeof sharedVariables>>;

/** What every process shares: its environment, logging, stores, secrets and upstream policy. */
export interface Config {
  env: SharedVariables['NODE_ENV'];
  logLevel: SharedVariables['LOG_LEVEL'];
  host: string;
  sandbox: { port: number; url: string };
  /** Key for the gateway's internal token to subgraphs. */
  internalTokenSecret: Uint8Array;
  audit: { databaseUrl: string | null; pgSchema: string; directory: string };
  /** Shared Redis; null: every store and counter is in memory, per process. */
  redis: { url: string | null; keyPrefix: string };
  /** Cache tiers (platform/cache.ts); they use `redis` when it is set. */
  cache: CacheConfig;
  /** Outcomes of keyed writes (platform/idempotency.ts); in `redis` when it is set. */
  idempotency: { ttlSeconds: number };
  /** The retry policy of every upstream that retries (platform/http.ts). */
  upstreamRetry: RetryConfig;
}

/** Seconds each cache tier keeps an entry; the `none` tier keeps nothing. */
export interface CacheConfig {
  ttlSeconds: { 'per-release': number; daily: number; minutes: number };
}

export interface UpstreamConfig {
  /** Name used in errors, logs and provenance, e.g. `PDS`. */
  name: string;
  baseUrl: string;
  timeoutMs: number;
  /** Calls in flight at once, process-wide; default 10 (platform/http.ts). */
  maxConcurrent?: number;
  /** Retries of idempotent calls; defaults in platform/http.ts. */
  retry?: RetryConfig;
}

export interface RetryConfig {
  /** Attempts per logical call, the first included; 1 disables retries. */
  maxAttempts: number;
  /** Time one logical call may take across attempts and waits. */
  budgetMs: number;
  /** The longest Retry-After waited out; longer fails the call at once with `retryAfter`. */
  maxRetryAfterSeconds: number;
  /** Exponential back-off: base and cap of the jittered wait between attempts. */
  baseDelayMs?: number;
  maxDelayMs?: number;
}

// Local development only: production refuses to start without INTERNAL_TOKEN_SECRET (below).
const LOCAL_INTERNAL_TOKEN_SECRET = 'nhs-graph-local-development-secret-not-for-production';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Validates the shared variables and every module's `variables` together, so one error names
 * every bad variable, and returns the parsed values.
 */
export function readEnvironment<const Shape extends VariableShape>(
  variables: Shape,
  env: NodeJS.ProcessEnv = process.env,
): SharedVariables & z.infer<z.ZodObject<Shape>> {
  const schema = z
    .object({ ...sharedVariables, ...variables })
    .refine(
      (e: Record<string, unknown>) =>
        e['NODE_ENV'] !== 'production' || e['INTERNAL_TOKEN_SECRET'] !== undefined,
      {
        path: ['INTERNAL_TOKEN_SECRET'],
        message: 'is required when NODE_ENV=production',
      },
    );
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}`);
  }
  return parsed.data as SharedVariables & z.infer<z.ZodObject<Shape>>;
}

/** The shared configuration from already-validated variables (readEnvironment). */
export function sharedConfig(e: SharedVariables): Config {
  return {
    env: e.NODE_ENV,
    logLevel: e.LOG_LEVEL,
    host: e.HOST,
    sandbox: { port: e.SANDBOX_PORT, url: localUrl(e.SANDBOX_PORT) },
    internalTokenSecret: new TextEncoder().encode(e.INTERNAL_TOKEN_SECRET ?? LOCAL_INTERNAL_TOKEN_SECRET),
    audit: { databaseUrl: e.DATABASE_URL ?? null, pgSchema: e.AUDIT_PG_SCHEMA, directory: e.AUDIT_DIR },
    redis: { url: e.REDIS_URL ?? null, keyPrefix: e.REDIS_KEY_PREFIX },
    cache: {
      ttlSeconds: {
        'per-release': e.CACHE_TTL_REFERENCE_SECONDS,
        daily: e.CACHE_TTL_DIRECTORY_SECONDS,
        minutes: e.CACHE_TTL_DEMOGRAPHICS_SECONDS,
      },
    },
    idempotency: { ttlSeconds: e.IDEMPOTENCY_TTL_SECONDS },
    upstreamRetry: {
      maxAttempts: e.UPSTREAM_RETRY_ATTEMPTS,
      budgetMs: e.UPSTREAM_RETRY_BUDGET_MS,
      maxRetryAfterSeconds: e.UPSTREAM_MAX_RETRY_AFTER_SECONDS,
    },
  };
}

/** The shared configuration alone (stores, secrets, logging), for processes and tests that need no more. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return sharedConfig(readEnvironment({}, env));
}

/** A service on this machine (the default for every address). */
export const localUrl = (port: number) => `http://127.0.0.1:${port}`;

export const trimSlash = (value: string) => value.replace(/\/+$/, '');
