// The gateway's own configuration: its port, the public edge's protections (CORS, query limits,
// rate limits, APQ, admission, operators' endpoints), the token issuers it trusts, and where it
// reaches each subgraph (from the subgraph manifests). Shared settings are platform/config.ts's.
import { z } from 'zod';
import {
  count,
  sizeOrZero,
  millis,
  optionalUrl,
  port,
  readEnvironment,
  sharedConfig,
  trimSlash,
  type Config,
  type VariableShape,
} from '../platform/config.js';
import { addressVariables, subgraphAddress } from '../platform/manifest.js';
import { subgraphRegistry } from '../subgraphs/registry.js';

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
      // canParse first: a value that is no URL at all is reported, not thrown from `new URL`.
      z
        .url({ protocol: /^https?$/ })
        .refine((origin) => URL.canParse(origin) && new URL(origin).origin === origin, {
          message: 'each origin must be scheme://host[:port], with no path or trailing slash',
        }),
    ),
  );

const audience = () => z.string().min(1).default('nhs-graph');

/** The gateway's own variables, grouped by concern. */
export const gatewayVariables = {
  PORT: port(4000).describe('Gateway port (the public GraphQL endpoint).'),

  // Browsers.
  CORS_ORIGINS: originList
    .optional()
    .describe(
      'Browser origins CORS allows, comma-separated, each `scheme://host[:port]`; unset: none in production, any localhost origin otherwise.',
    ),

  // Query limits (gateway/limits.ts).
  MAX_QUERY_DEPTH: count(12).describe('Deepest selection nesting a query may have.'),
  MAX_QUERY_ALIASES: count(15).describe('Aliases one query may use.'),
  MAX_QUERY_TOKENS: count(2000).describe('Tokens one query document may have.'),
  MAX_QUERY_COST: count(5000).describe('Estimated cost one query may have.'),
  MAX_BATCH_SIZE: count(5).describe('Operations one batched request may carry.'),
  MAX_REQUEST_BYTES: count(100_000).describe('Largest request body accepted.'),

  // Rate limits (gateway/rate-limits.ts).
  RATE_LIMIT_REQUESTS: count(600).describe(
    'Requests one first-party caller (NHS login or CIS2 subject) may make per window.',
  ),
  RATE_LIMIT_WINDOW_SECONDS: count(60).describe(
    "Length of the rate-limit window; partners' limits are in their partner.json.",
  ),

  // Automatic persisted queries.
  APQ_TTL_SECONDS: count(86_400).describe(
    'How long an automatic persisted query stays registered after its last registration.',
  ),

  // Admission and connections (gateway/admission.ts, connection-limits.ts). Most of a request's
  // time is spent waiting on upstreams, so the concurrency limit is high: at 32 the patient
  // summary queued behind it at 50 connections (p50 223 -> 142 ms at 256, same RSS).
  GATEWAY_MAX_CONCURRENT_REQUESTS: count(256).describe('GraphQL requests the gateway executes at once.'),
  GATEWAY_MAX_QUEUED_REQUESTS: count(1000).describe(
    'Requests allowed to wait for a slot; one more is refused with 503 OVERLOADED.',
  ),
  GATEWAY_HEADERS_TIMEOUT_MS: millis(10_000).describe(
    "How long a client may take to send a request's headers (Node's server.headersTimeout) before the connection is closed.",
  ),
  GATEWAY_BODY_TIMEOUT_MS: millis(10_000).describe(
    "How long an authenticated client may take to send a request's body, from its headers and before it takes an admission slot (a late body: REQUEST_TIMEOUT, 408).",
  ),
  GATEWAY_MAX_CONNECTIONS_PER_ADDRESS: count(100).describe(
    'Open connections one client address may hold; more are closed at once. Behind a load balancer every client shares its address: raise this there (or cap per client at the balancer).',
  ),

  // Operators' endpoints.
  OPERATIONS_TOKEN: z
    .string()
    .min(32, 'must be at least 32 characters')
    .optional()
    .describe(
      'Bearer token for GET /metrics and /status in production (unset: they answer 404 there); open in development.',
    ),

  // Query planning.
  SPECULATIVE_FETCHES: z
    .enum(['on', 'off'])
    .default('on')
    .describe(
      "Start entity fetches keyed only by the query's own arguments alongside the root fetch (gateway/speculative-fetches.ts).",
    ),

  // Token issuers; each defaults to the sandbox's stand-in.
  GATEWAY_QUERY_PLANNER: z
    .enum(['rust', 'js'])
    .default('rust')
    .describe(
      "Query planner and executor: Hive Router's Rust planner (`rust`, a native addon) or Hive Gateway's JavaScript one (`js`), for platforms the addon is not built for.",
    ),
  NHS_LOGIN_ISSUER: optionalUrl().describe(
    "NHS login issuer (iss) of citizens' tokens; default: the sandbox issuer.",
  ),
  NHS_LOGIN_JWKS_URL: optionalUrl().describe("NHS login JWKS; default: the issuer's /.well-known/jwks.json."),
  NHS_LOGIN_AUDIENCE: audience().describe('Audience (aud) NHS login tokens must carry.'),
  CIS2_ISSUER: optionalUrl().describe('CIS2 issuer (iss) of staff tokens; default: the sandbox issuer.'),
  CIS2_JWKS_URL: optionalUrl().describe("CIS2 JWKS; default: the issuer's /.well-known/jwks.json."),
  CIS2_AUDIENCE: audience().describe('Audience (aud) CIS2 tokens must carry.'),
  CIS2_MIN_ASSURANCE_LEVEL: z.coerce
    .number()
    .int()
    .min(1)
    .max(3)
    .default(3)
    .describe(
      'CIS2 authentication assurance level a staff token must carry (PDS healthcare-worker mode needs AAL2 or 3).',
    ),
  TOKEN_CACHE_ENTRIES: sizeOrZero(10_000).describe(
    "Verified bearer tokens the gateway remembers (gateway/verified-tokens.ts); 0 checks every request's signature.",
  ),
  PARTNER_ISSUER: optionalUrl().describe(
    "Issuer (iss) of partners' client-credentials tokens; default: the sandbox issuer.",
  ),
  PARTNER_JWKS_URL: optionalUrl().describe("Partner JWKS; default: the issuer's /.well-known/jwks.json."),
  PARTNER_AUDIENCE: audience().describe('Audience (aud) partner tokens must carry.'),
} satisfies VariableShape;

export type GatewayVariables = z.infer<z.ZodObject<typeof gatewayVariables>>;

/** Every subgraph's port and URL variables: where the gateway reaches each one. */
const subgraphAddressVariables = (): VariableShape =>
  Object.assign({}, ...subgraphRegistry.map(addressVariables)) as VariableShape;

export interface GatewayConfig extends Config {
  gateway: { port: number };
  /** Where the gateway reaches each subgraph, by name. */
  subgraphs: Record<string, { port: number; url: string }>;
  identity: { issuers: IssuerConfig[]; cis2MinAssuranceLevel: number; tokenCacheEntries: number };
  edge: EdgeConfig;
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

/** Validates the shared and the gateway's variables (one error naming every bad one) and reads them. */
export function loadGatewayConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const e = readEnvironment({ ...gatewayVariables, ...subgraphAddressVariables() }, env);
  const shared = sharedConfig(e);
  const issuer = (
    name: string,
    kind: PrincipalKind,
    configuredIssuer: string | undefined,
    jwksUrl: string | undefined,
    tokenAudience: string,
    algorithms: string[],
  ): IssuerConfig => {
    const iss = trimSlash(configuredIssuer ?? `${shared.sandbox.url}/identity/${name}`);
    return {
      name,
      kind,
      issuer: iss,
      jwksUrl: jwksUrl ?? `${iss}/.well-known/jwks.json`,
      audience: tokenAudience,
      algorithms,
    };
  };
  return {
    ...shared,
    gateway: { port: e.PORT },
    subgraphs: Object.fromEntries(
      subgraphRegistry.map((manifest) => [manifest.name, subgraphAddress(manifest, e)]),
    ),
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
  };
}
