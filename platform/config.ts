// Configuration is read once at start-up from the environment, validated here, and passed in.
// Nothing else in the code reads process.env.
import { z } from 'zod';

const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);
const url = z.url({ protocol: /^https?$/ }).optional();
const millis = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const count = (fallback: number) => z.coerce.number().int().positive().default(fallback);
/** A Spine accredited system id (ASID): digits. */
const asid = z.string().regex(/^\d{1,12}$/, 'must be a Spine ASID (up to 12 digits)');
const odsCode = z.string().regex(/^[A-Z0-9]{2,10}$/, 'must be an ODS code (capitals and digits)');
/** A comma-separated list of browser origins, each exactly `scheme://host[:port]`. */
const originList = z
  .string()
  .transform((value) =>
    value
      .split(',')
      .map((origin) => origin.trim())
      .filter(Boolean),
  )
  .pipe(
    z.array(
      z.url({ protocol: /^https?$/ }).refine((origin) => new URL(origin).origin === origin, {
        message: 'each origin must be scheme://host[:port], with no path or trailing slash',
      }),
    ),
  );

const EnvSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'silent']).default('info'),
    HOST: z.string().default('127.0.0.1'),
    PORT: port(4000),
    SANDBOX_PORT: port(4010),
    DEMOGRAPHICS_PORT: port(4101),
    ORGANISATIONS_PORT: port(4103),
    /** Where the gateway reaches the organisations subgraph; defaults to this machine. */
    ORGANISATIONS_URL: url,
    IDENTITY_PORT: port(4102),
    AUDIT_PORT: port(4109),
    AUDIT_URL: url,
    IDENTITY_URL: url,
    /** Where the gateway reaches the demographics subgraph; defaults to this machine. */
    DEMOGRAPHICS_URL: url,
    /** PDS FHIR R4 base, e.g. https://int.api.service.nhs.uk/personal-demographics/FHIR/R4. */
    PDS_BASE_URL: url,
    PDS_TIMEOUT_MS: millis(5000),
    /** ODS FHIR R4 base, e.g. https://int.api.service.nhs.uk/organisation-data-terminology-api/fhir. */
    ODS_BASE_URL: url,
    ODS_TIMEOUT_MS: millis(5000),
    /** Calls in flight at once to each upstream, per process (platform/http.ts). PDS: 5 TPS by default. */
    PDS_MAX_CONCURRENCY: count(5),
    ODS_MAX_CONCURRENCY: count(8),
    /** Attempts per idempotent upstream read, the first included (platform/http.ts). */
    UPSTREAM_RETRY_ATTEMPTS: count(3),
    /** Time one logical upstream call may take across its retries and back-off. */
    UPSTREAM_RETRY_BUDGET_MS: millis(10_000),
    /** The longest Retry-After nhs-graph waits out; a longer one fails the call at once. */
    UPSTREAM_MAX_RETRY_AFTER_SECONDS: count(5),
    REFERRALS_PORT: port(4105),
    /** Where the gateway reaches the referrals subgraph; defaults to this machine. */
    REFERRALS_URL: url,
    /** e-RS FHIR base (STU3 and R4 below it), e.g. https://int.api.service.nhs.uk/referrals/FHIR. */
    ERS_BASE_URL: url,
    ERS_TIMEOUT_MS: millis(5000),
    CARE_RECORD_PORT: port(4104),
    /** Where the gateway reaches the careRecord subgraph; defaults to this machine. */
    CARE_RECORD_URL: url,
    /** GP Connect provider FHIR base as reached through the Spine Secure Proxy; default: the sandbox. */
    GPCONNECT_BASE_URL: url,
    GPCONNECT_TIMEOUT_MS: millis(10_000),
    GPCONNECT_MAX_CONCURRENCY: count(10),
    // GP Connect consumer identity (careRecord subgraph). Defaults suit the sandbox: the ASIDs of
    // the Ssp-From/Ssp-To example in the GP Connect specification, and the GP Connect reference
    // implementation's practice B82617 as the one provider every call goes to.
    /** nhs-graph's Spine ASID, sent as Ssp-From. */
    GPCONNECT_CONSUMER_ASID: asid.default('200000000115'),
    /** The provider system's Spine ASID, sent as Ssp-To. */
    GPCONNECT_PROVIDER_ASID: asid.default('200000000116'),
    /** ODS code of the provider practice whose FHIR service roots every call goes to (no SDS lookup). */
    GPCONNECT_PROVIDER_ODS_CODE: odsCode.default('B82617'),
    /** The requesting organisation in the audit JWT and the booking organisation, when the caller has none. */
    GPCONNECT_CONSUMER_ODS_CODE: odsCode.default('X26'),
    GPCONNECT_CONSUMER_NAME: z.string().min(1).default('nhs-graph'),
    /** The booking organisation's telephone, which GP Connect requires on a booking. */
    GPCONNECT_CONSUMER_PHONE: z.string().min(1).default('0300 303 5678'),
    MEDICINES_PORT: port(4106),
    /** Where the gateway reaches the medicines subgraph; defaults to this machine. */
    MEDICINES_URL: url,
    /** FHIR terminology server serving dm+d (NHS England Terminology Server); default: the sandbox. */
    DMD_BASE_URL: url,
    DMD_TIMEOUT_MS: millis(5000),
    DMD_MAX_CONCURRENCY: count(4),
    /** Shared by the gateway and subgraphs to sign and verify the internal token; required in production. */
    INTERNAL_TOKEN_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    /** Redis shared by gateway replicas (persisted queries, rate-limit counters); unset: in memory. */
    REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
    /** Prefix of every Redis key nhs-graph writes, so environments can share one Redis. */
    REDIS_KEY_PREFIX: z
      .string()
      .regex(/^[\w.:-]+$/, 'letters, digits and . : _ - only')
      .default('nhs-graph:'),
    /** Cache tier lifetimes (platform/cache.ts): ODS directory data, PDS demographics, per-release reference data. */
    CACHE_TTL_DIRECTORY_SECONDS: count(86_400),
    CACHE_TTL_DEMOGRAPHICS_SECONDS: count(300),
    CACHE_TTL_REFERENCE_SECONDS: count(30 * 86_400),
    /** How long past its TTL a PDS record may still be served, marked stale, while PDS is failing. */
    DEMOGRAPHICS_STALE_IF_ERROR_SECONDS: z.coerce.number().int().min(0).default(86_400),
    /** How long the outcome of a write with an idempotencyKey is remembered (platform/idempotency.ts). */
    IDEMPOTENCY_TTL_SECONDS: count(86_400),
    /** Browser origins CORS allows; unset: none in production, localhost in development and test. */
    CORS_ORIGINS: originList.optional(),
    MAX_QUERY_DEPTH: count(12),
    MAX_QUERY_ALIASES: count(15),
    MAX_QUERY_TOKENS: count(2000),
    MAX_QUERY_COST: count(5000),
    MAX_BATCH_SIZE: count(5),
    MAX_REQUEST_BYTES: count(100_000),
    /** Requests one first-party caller (NHS login or CIS2 subject) may make per window. */
    RATE_LIMIT_REQUESTS: count(600),
    RATE_LIMIT_WINDOW_SECONDS: count(60),
    /** How long an automatic persisted query stays registered after its last registration. */
    APQ_TTL_SECONDS: count(86_400),
    /**
     * GraphQL requests the gateway executes at once, and how many more may wait (gateway/admission.ts).
     * Most of a request's time is spent waiting on upstreams, so the limit is high: at 32 the
     * patient summary queued behind it at 50 connections (p50 223 -> 142 ms at 256, same RSS).
     */
    GATEWAY_MAX_CONCURRENT_REQUESTS: count(256),
    GATEWAY_MAX_QUEUED_REQUESTS: count(1000),
    /** How long a client may take to send a request's headers (Node's server.headersTimeout). */
    GATEWAY_HEADERS_TIMEOUT_MS: millis(10_000),
    /** How long an authenticated client may take to send a request's body, before it takes an admission slot. */
    GATEWAY_BODY_TIMEOUT_MS: millis(10_000),
    /**
     * Open connections one client address may hold; more are closed at once. Behind a load balancer
     * every client shares its address: raise this there (or cap per client at the balancer).
     */
    GATEWAY_MAX_CONNECTIONS_PER_ADDRESS: count(100),
    /** Bearer token for GET /metrics and /status in production (unset: they answer 404 there); open in development. */
    OPERATIONS_TOKEN: z.string().min(32, 'must be at least 32 characters').optional(),
    /** Start entity fetches keyed only by the query's own arguments alongside the root fetch (gateway/speculative-fetches.ts). */
    SPECULATIVE_FETCHES: z.enum(['on', 'off']).default('on'),
    /** Query planner: Hive Router's Rust planner (native addon) or Hive Gateway's JavaScript one, for platforms the addon is not built for. */
    GATEWAY_QUERY_PLANNER: z.enum(['rust', 'js']).default('rust'),
    NHS_LOGIN_ISSUER: url,
    NHS_LOGIN_JWKS_URL: url,
    NHS_LOGIN_AUDIENCE: z.string().min(1).default('nhs-graph'),
    CIS2_ISSUER: url,
    CIS2_JWKS_URL: url,
    CIS2_AUDIENCE: z.string().min(1).default('nhs-graph'),
    /** CIS2 authentication assurance level a staff token must carry (PDS healthcare-worker mode needs AAL2 or 3). */
    CIS2_MIN_ASSURANCE_LEVEL: z.coerce.number().int().min(1).max(3).default(3),
    /** Verified bearer tokens the gateway remembers (gateway/verified-tokens.ts); 0 checks every request's signature. */
    TOKEN_CACHE_ENTRIES: count(10_000),
    PARTNER_ISSUER: url,
    PARTNER_JWKS_URL: url,
    PARTNER_AUDIENCE: z.string().min(1).default('nhs-graph'),
    /** Postgres for the audit trail (e.g. postgres://postgres@127.0.0.1:5432/test); unset: embedded files. */
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
      .optional(),
    AUDIT_PG_SCHEMA: z
      .string()
      .regex(/^[a-z_][a-z0-9_]*$/, 'must be a lower-case SQL identifier')
      .default('nhs_graph_audit'),
    /** Folder of the embedded audit store, used when DATABASE_URL is unset. */
    AUDIT_DIR: z.string().min(1).default('.data/audit'),
  })
  .refine((env) => env.NODE_ENV !== 'production' || env.INTERNAL_TOKEN_SECRET !== undefined, {
    path: ['INTERNAL_TOKEN_SECRET'],
    message: 'is required when NODE_ENV=production',
  });

export type Env = z.infer<typeof EnvSchema>;

export interface Config {
  env: Env['NODE_ENV'];
  logLevel: Env['LOG_LEVEL'];
  host: string;
  gateway: { port: number };
  sandbox: { port: number; url: string };
  subgraphs: Record<
    'demographics' | 'identity' | 'audit' | 'organisations' | 'referrals' | 'careRecord' | 'medicines',
    { port: number; url: string }
  >;
  upstreams: {
    pds: UpstreamConfig;
    ods: UpstreamConfig;
    ers: UpstreamConfig;
    gpconnect: UpstreamConfig;
    dmd: UpstreamConfig;
  };
  identity: { issuers: IssuerConfig[]; cis2MinAssuranceLevel: number; tokenCacheEntries: number };
  /** Key for the gateway's internal token to subgraphs. */
  internalTokenSecret: Uint8Array;
  audit: { databaseUrl: string | null; pgSchema: string; directory: string };
  /** Shared Redis; null: every store and counter is in memory, per process. */
  redis: { url: string | null; keyPrefix: string };
  /** Cache tiers (platform/cache.ts); they use `redis` when it is set. */
  cache: CacheConfig;
  /** Outcomes of keyed writes (platform/idempotency.ts); in `redis` when it is set. */
  idempotency: { ttlSeconds: number };
  edge: EdgeConfig;
  /** Who nhs-graph is to GP Connect (careRecord subgraph). */
  gpconnect: GpConnectConsumerConfig;
}

/** nhs-graph's identity as a GP Connect consumer, and the provider it calls. */
export interface GpConnectConsumerConfig {
  consumerAsid: string;
  providerAsid: string;
  providerOdsCode: string;
  consumerOrganisation: { odsCode: string; name: string; phone: string };
}

/** The public edge's protections (gateway/limits.ts, rate-limits.ts, http-hygiene.ts). */
export interface EdgeConfig {
  /** Origins CORS allows; `localhost` also allows any http://localhost or 127.0.0.1 origin. */
  cors: { origins: string[]; localhost: boolean };
  limits: QueryLimits;
  /** For first-party callers; each partner's own limit is in its partner.json. */
  rateLimit: RateLimit;
  apqTtlSeconds: number;
  /** Speculative entity fetches (gateway/speculative-fetches.ts). */
  speculativeFetches: boolean;
  /** Which query planner and executor the gateway runs (gateway/server.ts). */
  queryPlanner: 'rust' | 'js';
  admission: AdmissionLimits;
  /** /metrics and /status: open (development), behind a bearer token, or hidden (production without one). */
  operations: { open: boolean; token: string | null };
}

export interface AdmissionLimits {
  /** GraphQL requests executing at once. */
  maxConcurrent: number;
  /** Requests allowed to wait; one more is refused with 503 OVERLOADED. */
  maxQueued: number;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  maxConnectionsPerAddress: number;
}

export interface QueryLimits {
  depth: number;
  aliases: number;
  tokens: number;
  cost: number;
  batch: number;
  bodyBytes: number;
}

export interface RateLimit {
  requests: number;
  windowSeconds: number;
}

// Local development only: production refuses to start without INTERNAL_TOKEN_SECRET (above).
const LOCAL_INTERNAL_TOKEN_SECRET = 'nhs-graph-local-development-secret-not-for-production';

export type PrincipalKind = 'citizen' | 'staff' | 'partner';

/** A token issuer the gateway trusts, and what its tokens must look like. */
export interface IssuerConfig {
  /** Short name used in logs and the Principal, e.g. `nhs-login`. */
  name: string;
  kind: PrincipalKind;
  issuer: string;
  jwksUrl: string;
  audience: string;
  /** Signature algorithms accepted from this issuer; anything else (none, HS*) is refused. */
  algorithms: string[];
}

/** Seconds each cache tier keeps an entry; the `none` tier keeps nothing. */
export interface CacheConfig {
  ttlSeconds: { reference: number; directory: number; demographics: number };
  /** Seconds past the demographics TTL a record may be served with `stale: true` when PDS fails. */
  demographicsStaleIfErrorSeconds?: number;
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

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}`);
  }
  const e = parsed.data;
  const local = (p: number) => `http://127.0.0.1:${p}`;
  const sandboxUrl = local(e.SANDBOX_PORT);
  return {
    env: e.NODE_ENV,
    logLevel: e.LOG_LEVEL,
    host: e.HOST,
    gateway: { port: e.PORT },
    sandbox: { port: e.SANDBOX_PORT, url: sandboxUrl },
    subgraphs: {
      demographics: {
        port: e.DEMOGRAPHICS_PORT,
        url: e.DEMOGRAPHICS_URL ?? `${local(e.DEMOGRAPHICS_PORT)}/graphql`,
      },
      identity: { port: e.IDENTITY_PORT, url: e.IDENTITY_URL ?? `${local(e.IDENTITY_PORT)}/graphql` },
      organisations: {
        port: e.ORGANISATIONS_PORT,
        url: e.ORGANISATIONS_URL ?? `${local(e.ORGANISATIONS_PORT)}/graphql`,
      },
      audit: { port: e.AUDIT_PORT, url: e.AUDIT_URL ?? `${local(e.AUDIT_PORT)}/graphql` },
      referrals: {
        port: e.REFERRALS_PORT,
        url: e.REFERRALS_URL ?? `${local(e.REFERRALS_PORT)}/graphql`,
      },
      careRecord: {
        port: e.CARE_RECORD_PORT,
        url: e.CARE_RECORD_URL ?? `${local(e.CARE_RECORD_PORT)}/graphql`,
      },
      medicines: {
        port: e.MEDICINES_PORT,
        url: e.MEDICINES_URL ?? `${local(e.MEDICINES_PORT)}/graphql`,
      },
    },
    upstreams: {
      pds: {
        name: 'PDS',
        baseUrl: trimSlash(e.PDS_BASE_URL ?? `${sandboxUrl}/personal-demographics/FHIR/R4`),
        timeoutMs: e.PDS_TIMEOUT_MS,
        maxConcurrent: e.PDS_MAX_CONCURRENCY,
        retry: retry(e),
      },
      ods: {
        name: 'ODS',
        baseUrl: trimSlash(e.ODS_BASE_URL ?? `${sandboxUrl}/organisation-data-terminology-api/fhir`),
        timeoutMs: e.ODS_TIMEOUT_MS,
        maxConcurrent: e.ODS_MAX_CONCURRENCY,
        retry: retry(e),
      },
      ers: {
        name: 'e-RS',
        baseUrl: trimSlash(e.ERS_BASE_URL ?? `${sandboxUrl}/referrals/FHIR`),
        timeoutMs: e.ERS_TIMEOUT_MS,
      },
      gpconnect: {
        name: 'GP Connect',
        baseUrl: trimSlash(e.GPCONNECT_BASE_URL ?? `${sandboxUrl}/gpconnect`),
        timeoutMs: e.GPCONNECT_TIMEOUT_MS,
        maxConcurrent: e.GPCONNECT_MAX_CONCURRENCY,
        retry: retry(e),
      },
      dmd: {
        name: 'dm+d',
        baseUrl: trimSlash(e.DMD_BASE_URL ?? `${sandboxUrl}/terminology/fhir`),
        timeoutMs: e.DMD_TIMEOUT_MS,
        maxConcurrent: e.DMD_MAX_CONCURRENCY,
        retry: retry(e),
      },
    },
    identity: {
      issuers: [
        // NHS login signs ID and access tokens with RS512 (NHS login interface spec).
        issuer('nhs-login', 'citizen', e.NHS_LOGIN_ISSUER, e.NHS_LOGIN_JWKS_URL, e.NHS_LOGIN_AUDIENCE, [
          'RS512',
        ]),
        issuer('cis2', 'staff', e.CIS2_ISSUER, e.CIS2_JWKS_URL, e.CIS2_AUDIENCE, ['RS256', 'RS512', 'ES256']),
        issuer('partners', 'partner', e.PARTNER_ISSUER, e.PARTNER_JWKS_URL, e.PARTNER_AUDIENCE, [
          'RS256',
          'RS512',
          'ES256',
        ]),
      ],
      cis2MinAssuranceLevel: e.CIS2_MIN_ASSURANCE_LEVEL,
      tokenCacheEntries: e.TOKEN_CACHE_ENTRIES,
    },
    internalTokenSecret: new TextEncoder().encode(e.INTERNAL_TOKEN_SECRET ?? LOCAL_INTERNAL_TOKEN_SECRET),
    audit: { databaseUrl: e.DATABASE_URL ?? null, pgSchema: e.AUDIT_PG_SCHEMA, directory: e.AUDIT_DIR },
    redis: { url: e.REDIS_URL ?? null, keyPrefix: e.REDIS_KEY_PREFIX },
    cache: {
      ttlSeconds: {
        reference: e.CACHE_TTL_REFERENCE_SECONDS,
        directory: e.CACHE_TTL_DIRECTORY_SECONDS,
        demographics: e.CACHE_TTL_DEMOGRAPHICS_SECONDS,
      },
      demographicsStaleIfErrorSeconds: e.DEMOGRAPHICS_STALE_IF_ERROR_SECONDS,
    },
    idempotency: { ttlSeconds: e.IDEMPOTENCY_TTL_SECONDS },
    edge: {
      cors: {
        origins: e.CORS_ORIGINS ?? [],
        localhost: e.CORS_ORIGINS === undefined && e.NODE_ENV !== 'production',
      },
      limits: {
        depth: e.MAX_QUERY_DEPTH,
        aliases: e.MAX_QUERY_ALIASES,
        tokens: e.MAX_QUERY_TOKENS,
        cost: e.MAX_QUERY_COST,
        batch: e.MAX_BATCH_SIZE,
        bodyBytes: e.MAX_REQUEST_BYTES,
      },
      rateLimit: { requests: e.RATE_LIMIT_REQUESTS, windowSeconds: e.RATE_LIMIT_WINDOW_SECONDS },
      apqTtlSeconds: e.APQ_TTL_SECONDS,
      speculativeFetches: e.SPECULATIVE_FETCHES === 'on',
      queryPlanner: e.GATEWAY_QUERY_PLANNER,
      admission: {
        maxConcurrent: e.GATEWAY_MAX_CONCURRENT_REQUESTS,
        maxQueued: e.GATEWAY_MAX_QUEUED_REQUESTS,
        headersTimeoutMs: e.GATEWAY_HEADERS_TIMEOUT_MS,
        bodyTimeoutMs: e.GATEWAY_BODY_TIMEOUT_MS,
        maxConnectionsPerAddress: e.GATEWAY_MAX_CONNECTIONS_PER_ADDRESS,
      },
      operations: { open: e.NODE_ENV !== 'production', token: e.OPERATIONS_TOKEN ?? null },
    },
    gpconnect: {
      consumerAsid: e.GPCONNECT_CONSUMER_ASID,
      providerAsid: e.GPCONNECT_PROVIDER_ASID,
      providerOdsCode: e.GPCONNECT_PROVIDER_ODS_CODE,
      consumerOrganisation: {
        odsCode: e.GPCONNECT_CONSUMER_ODS_CODE,
        name: e.GPCONNECT_CONSUMER_NAME,
        phone: e.GPCONNECT_CONSUMER_PHONE,
      },
    },
  };

  function issuer(
    name: string,
    kind: PrincipalKind,
    configuredIssuer: string | undefined,
    jwksUrl: string | undefined,
    audience: string,
    algorithms: string[],
  ): IssuerConfig {
    const iss = trimSlash(configuredIssuer ?? `${sandboxUrl}/identity/${name}`);
    return {
      name,
      kind,
      issuer: iss,
      jwksUrl: jwksUrl ?? `${iss}/.well-known/jwks.json`,
      audience,
      algorithms,
    };
  }
}

/** The retry policy every upstream shares (platform/http.ts); exported for new upstreams. */
export const retry = (e: Env): RetryConfig => ({
  maxAttempts: e.UPSTREAM_RETRY_ATTEMPTS,
  budgetMs: e.UPSTREAM_RETRY_BUDGET_MS,
  maxRetryAfterSeconds: e.UPSTREAM_MAX_RETRY_AFTER_SECONDS,
});

const trimSlash = (value: string) => value.replace(/\/+$/, '');
