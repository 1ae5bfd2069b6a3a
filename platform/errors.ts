// The one place error codes are defined. Every subgraph and the gateway raise errors through
// these helpers so clients can rely on `extensions.code`, never on message text.
import { GraphQLError } from 'graphql';

export const ErrorCode = {
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  TOO_MANY_MATCHES: 'TOO_MANY_MATCHES',
  RATE_LIMITED: 'RATE_LIMITED',
  /** The gateway has as many requests waiting as it allows (gateway/admission.ts); retry after Retry-After. */
  OVERLOADED: 'OVERLOADED',
  UPSTREAM_UNAVAILABLE: 'UPSTREAM_UNAVAILABLE',
  UPSTREAM_INVALID_RESPONSE: 'UPSTREAM_INVALID_RESPONSE',
  UPSTREAM_REJECTED: 'UPSTREAM_REJECTED',
  /** A warning code (extensions.warnings), not an error: data served from cache because the service failed. */
  STALE_DATA: 'STALE_DATA',
  AUDIT_UNAVAILABLE: 'AUDIT_UNAVAILABLE',
  // Idempotent writes (platform/idempotency.ts).
  /** The idempotencyKey was already used with different input. */
  IDEMPOTENCY_KEY_REUSED: 'IDEMPOTENCY_KEY_REUSED',
  /** A write with this idempotencyKey is still running; send it again shortly. */
  WRITE_IN_PROGRESS: 'WRITE_IN_PROGRESS',
  /** The key store is down, so the write was not sent (it could not be guaranteed once). */
  IDEMPOTENCY_UNAVAILABLE: 'IDEMPOTENCY_UNAVAILABLE',
  /** A write that needs current data while the service is failing and only cached data is left. */
  STALE_DATA_REFUSED: 'STALE_DATA_REFUSED',
  PERSISTED_QUERY_NOT_FOUND: 'PERSISTED_QUERY_NOT_FOUND',
  // The public edge (gateway/): persisted documents, limits and HTTP hygiene.
  PERSISTED_QUERY_NOT_ALLOWED: 'PERSISTED_QUERY_NOT_ALLOWED',
  PERSISTED_QUERY_HASH_MISMATCH: 'PERSISTED_QUERY_HASH_MISMATCH',
  QUERY_TOO_DEEP: 'QUERY_TOO_DEEP',
  QUERY_TOO_COMPLEX: 'QUERY_TOO_COMPLEX',
  TOO_MANY_ALIASES: 'TOO_MANY_ALIASES',
  TOO_MANY_TOKENS: 'TOO_MANY_TOKENS',
  BATCH_TOO_LARGE: 'BATCH_TOO_LARGE',
  REQUEST_TOO_LARGE: 'REQUEST_TOO_LARGE',
  /** The request's body did not arrive within GATEWAY_BODY_TIMEOUT_MS (408). */
  REQUEST_TIMEOUT: 'REQUEST_TIMEOUT',
  CSRF_HEADER_REQUIRED: 'CSRF_HEADER_REQUIRED',
  METHOD_NOT_ALLOWED: 'METHOD_NOT_ALLOWED',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface ErrorDetails {
  /** The upstream service involved, e.g. `PDS`. Never an internal hostname. */
  service?: string;
  /** The upstream's own error code (e.g. PDS `INVALIDATED_RESOURCE`), safe to show. */
  upstreamCode?: string;
  /** The argument at fault, for BAD_USER_INPUT. */
  argument?: string;
  /** Seconds after which a retry may succeed. */
  retryAfter?: number;
}

export function graphError(code: ErrorCode, message: string, details: ErrorDetails = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...withoutUndefined(details) } });
}

export const badUserInput = (message: string, argument?: string): GraphQLError =>
  graphError(ErrorCode.BAD_USER_INPUT, message, argument === undefined ? {} : { argument });

export const notFound = (message: string, details: ErrorDetails = {}): GraphQLError =>
  graphError(ErrorCode.NOT_FOUND, message, details);

export const upstreamUnavailable = (service: string, details: ErrorDetails = {}): GraphQLError =>
  graphError(ErrorCode.UPSTREAM_UNAVAILABLE, `${service} is not available just now; try again later.`, {
    service,
    ...details,
  });

export const upstreamInvalidResponse = (service: string): GraphQLError =>
  graphError(
    ErrorCode.UPSTREAM_INVALID_RESPONSE,
    `${service} sent a response nhs-graph could not understand; nothing from it was used.`,
    { service },
  );

export function errorCodeOf(error: unknown): string | undefined {
  if (error instanceof GraphQLError) {
    const code = error.extensions['code'];
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

function withoutUndefined(details: ErrorDetails): Record<string, unknown> {
  return Object.fromEntries(Object.entries(details).filter(([, v]) => v !== undefined));
}

/** How one upstream answer becomes a graph error: our code and our own words. */
export interface UpstreamErrorRule {
  code: ErrorCode;
  message: string;
}

/**
 * The rules every upstream shares, worded for that service. Messages are ours: an upstream's
 * diagnostics can carry internal detail and never reach a client.
 */
export function commonUpstreamErrors(service: string) {
  return {
    REJECTED: {
      code: ErrorCode.UPSTREAM_REJECTED,
      message: `${service} refused the request nhs-graph made for you; this is not a problem with your request.`,
    },
    UNAVAILABLE: {
      code: ErrorCode.UPSTREAM_UNAVAILABLE,
      message: `${service} is not available just now; try again later.`,
    },
    RATE_LIMITED: {
      code: ErrorCode.RATE_LIMITED,
      message: `${service} is receiving too many requests from nhs-graph; try again shortly.`,
    },
    INVALID_RESPONSE: {
      code: ErrorCode.UPSTREAM_INVALID_RESPONSE,
      message: `${service} sent a response nhs-graph could not understand; nothing from it was used.`,
    },
  } satisfies Record<string, UpstreamErrorRule>;
}

/**
 * The graph error for an upstream's answer, once a subgraph's table has chosen its rule:
 * `upstreamCode` is shown when the upstream gave one, and `retryAfter` only on errors a client
 * may retry (UPSTREAM_UNAVAILABLE, RATE_LIMITED).
 */
export function upstreamRuleError(
  rule: UpstreamErrorRule,
  context: { service: string; upstreamCode?: string | undefined; retryAfterSeconds?: number | undefined },
): GraphQLError {
  const retryable = rule.code === ErrorCode.UPSTREAM_UNAVAILABLE || rule.code === ErrorCode.RATE_LIMITED;
  return graphError(rule.code, rule.message, {
    service: context.service,
    ...(context.upstreamCode === undefined ? {} : { upstreamCode: context.upstreamCode }),
    ...(retryable && context.retryAfterSeconds !== undefined
      ? { retryAfter: context.retryAfterSeconds }
      : {}),
  });
}
