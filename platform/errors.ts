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
  // GraphQL's and Yoga's own refusals of a request, passed on as they are.
  BAD_REQUEST: 'BAD_REQUEST',
  GRAPHQL_PARSE_FAILED: 'GRAPHQL_PARSE_FAILED',
  GRAPHQL_VALIDATION_FAILED: 'GRAPHQL_VALIDATION_FAILED',
  OPERATION_RESOLUTION_FAILURE: 'OPERATION_RESOLUTION_FAILURE',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
  /** A part of the graph could not be reached (gateway → subgraph); the rest of the answer stands. */
  SUBGRAPH_UNAVAILABLE: 'SUBGRAPH_UNAVAILABLE',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * The HTTP status rule (README, "Errors"): a request refused as a whole before anything runs gets
 * a 4xx (or 503) by class; once execution has started the answer is 200 with the error beside the
 * data, as the GraphQL-over-HTTP spec asks of application/json responses. No exception:
 * PERSISTED_QUERY_NOT_FOUND (APQ's "send the text" signal) is a 400 like PERSISTED_QUERY_NOT_ALLOWED.
 * Apollo Client 3.x and 4.x read the code from the body of a non-2xx answer and resend with the
 * query; older links (apollo-link-persisted-queries) turn APQ off on a 400 and still resend the
 * query, so they keep working. A 404 would not be retried by those older links.
 */
export interface ErrorCodeDoc {
  /** The HTTP statuses a response carrying this code can have. */
  statuses: readonly number[];
  meaning: string;
}

/** Every code a client can receive, with its statuses and meaning; the README table is made from it. */
export const ERROR_CODES: Record<ErrorCode, ErrorCodeDoc> = {
  UNAUTHENTICATED: {
    statuses: [401],
    meaning: 'No valid bearer token (missing, malformed, expired or for another audience).',
  },
  FORBIDDEN: {
    statuses: [403, 200],
    meaning:
      'Not allowed: the whole request (403, e.g. a partner not onboarded) or one field (200, beside the rest).',
  },
  BAD_USER_INPUT: {
    statuses: [400, 200],
    meaning:
      'The caller sent something invalid: refused before anything ran (400), or found by a field (200); `argument` names it.',
  },
  NOT_FOUND: { statuses: [200], meaning: 'The service has no such record.' },
  CONFLICT: { statuses: [200], meaning: 'The write conflicts with the current state of the record.' },
  TOO_MANY_MATCHES: {
    statuses: [200],
    meaning: 'A search matched more records than it may return; narrow it.',
  },
  RATE_LIMITED: {
    statuses: [429, 200],
    meaning:
      'Too many requests from this client (429, Retry-After), or nhs-graph is rate-limited by a service (200).',
  },
  OVERLOADED: {
    statuses: [503],
    meaning: 'The gateway has as many requests waiting as it allows; retry after Retry-After.',
  },
  UPSTREAM_UNAVAILABLE: {
    statuses: [200],
    meaning: 'A national service is not available just now; `service` names it, `retryAfter` when known.',
  },
  UPSTREAM_INVALID_RESPONSE: {
    statuses: [200],
    meaning:
      'A national service answered with something nhs-graph could not understand; nothing from it was used.',
  },
  UPSTREAM_REJECTED: {
    statuses: [200],
    meaning:
      "A national service refused the request nhs-graph made; not a problem with the caller's request.",
  },
  STALE_DATA: {
    statuses: [200],
    meaning:
      'A warning (extensions.warnings), not an error: data served from cache because the service failed.',
  },
  AUDIT_UNAVAILABLE: {
    statuses: [200],
    meaning: 'The audit trail could not be written, so the data was not returned.',
  },
  IDEMPOTENCY_KEY_REUSED: {
    statuses: [200],
    meaning: 'The idempotencyKey was already used with different input.',
  },
  WRITE_IN_PROGRESS: {
    statuses: [200],
    meaning: 'A write with this idempotencyKey is still running; send it again shortly.',
  },
  IDEMPOTENCY_UNAVAILABLE: {
    statuses: [200],
    meaning: 'The key store is down, so the write was not sent (it could not be guaranteed once).',
  },
  STALE_DATA_REFUSED: {
    statuses: [200],
    meaning: 'A write that needs current data while the service is failing and only cached data is left.',
  },
  PERSISTED_QUERY_NOT_FOUND: {
    statuses: [400],
    meaning: 'Unknown persisted query hash or id; an APQ client then sends the query text with it.',
  },
  PERSISTED_QUERY_NOT_ALLOWED: {
    statuses: [400],
    meaning: 'A partner sent query text, or an operation not in its manifest.',
  },
  PERSISTED_QUERY_HASH_MISMATCH: {
    statuses: [400],
    meaning: 'The persisted query hash is not the sha256 of the query sent with it.',
  },
  QUERY_TOO_DEEP: { statuses: [400], meaning: 'The document nests deeper than the gateway allows.' },
  QUERY_TOO_COMPLEX: { statuses: [400], meaning: 'The document costs more than the gateway allows.' },
  TOO_MANY_ALIASES: { statuses: [400], meaning: 'The document uses more aliases than the gateway allows.' },
  TOO_MANY_TOKENS: { statuses: [400], meaning: 'The document has more tokens than the gateway allows.' },
  BATCH_TOO_LARGE: {
    statuses: [413],
    meaning: 'A batched request holds more operations than the gateway allows.',
  },
  REQUEST_TOO_LARGE: { statuses: [413], meaning: 'The request body is larger than the gateway allows.' },
  REQUEST_TIMEOUT: {
    statuses: [408],
    meaning: 'The request body did not arrive in time (GATEWAY_BODY_TIMEOUT_MS); the connection is closed.',
  },
  CSRF_HEADER_REQUIRED: {
    statuses: [403],
    meaning:
      'A request a browser could send cross-site lacks a CSRF header (Apollo-Require-Preflight or another).',
  },
  METHOD_NOT_ALLOWED: {
    statuses: [405],
    meaning: 'GET carries only persisted queries, never a mutation; see Allow.',
  },
  BAD_REQUEST: {
    statuses: [400],
    meaning:
      'Not a GraphQL request: a body that is not a JSON object, no query, or a query that is not a string.',
  },
  GRAPHQL_PARSE_FAILED: { statuses: [400], meaning: 'The query text is not valid GraphQL syntax.' },
  GRAPHQL_VALIDATION_FAILED: {
    statuses: [400],
    meaning: 'The query asks for something the schema does not have, or in the wrong shape.',
  },
  OPERATION_RESOLUTION_FAILURE: {
    statuses: [400],
    meaning: 'The operationName names no operation in the document (or several operations and none named).',
  },
  INTERNAL_SERVER_ERROR: {
    statuses: [500, 200],
    meaning: 'Something unexpected; logged and masked, nothing internal is sent.',
  },
  SUBGRAPH_UNAVAILABLE: {
    statuses: [200],
    meaning: 'One part of the graph (`subgraph`) could not be reached; the rest of the answer stands.',
  },
};

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
