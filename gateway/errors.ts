// What leaves the gateway: coded errors from subgraphs pass through with their message and
// code; anything unexpected is masked. Stack traces, upstream bodies and internal hostnames
// are never sent. Yoga logs at error level every error the mask changes, so an error that is
// already safe (a caller's mistake: no token, a forbidden field, bad input) is passed on as it is
// and is not logged as a server error; anything masked or rebuilt is.
import type { GatewayPlugin } from '@graphql-hive/gateway-runtime';
import { GraphQLError } from 'graphql';
import { ERROR_CODES, ErrorCode } from '../platform/errors.js';

type MaskError = (error: unknown, message: string, isDev?: boolean) => Error;

export function maskedErrors(development: boolean): { maskError: MaskError } {
  return {
    maskError(error, message) {
      const safe = subgraphUnavailable(error) ?? safeCodedError(error) ?? requestError(error);
      if (safe) return development ? safe : withoutSuggestions(safe);
      return new GraphQLError(message, { extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } });
    },
  };
}

/** graphql-js's hints ("Did you mean "family"?", "Did you mean the enum value "FEMALE"?"). */
const SUGGESTION = /\s*Did you mean [^?]*\?/g;

/**
 * In production no error names a field, input field or enum value the caller did not write:
 * graphql-armor's blockFieldSuggestions covers validation only, not variable coercion. Edited in
 * place (a new object would be logged as a server error).
 */
function withoutSuggestions(error: GraphQLError): GraphQLError {
  const stripped = error.message.replace(SUGGESTION, '');
  if (stripped !== error.message) error.message = stripped;
  return error;
}

/**
 * Validation errors are answered without passing through the mask, and graphql-armor blocks only
 * field suggestions: in production an enum or argument typo in the query text would still be
 * answered "Did you mean …?". Stripped here, in place (Yoga caches validation per document).
 */
export function useNoSuggestions(): GatewayPlugin {
  return {
    onValidate:
      () =>
      ({ result }) => {
        for (const error of result as readonly GraphQLError[]) withoutSuggestions(error);
      },
  };
}

/** Yoga refuses PUT, DELETE and the like with 405 and BAD_REQUEST; the code says what it is. */
function methodNotAllowed(error: GraphQLError): void {
  const http = error.extensions['http'] as { status?: unknown } | undefined;
  if (error.extensions['code'] === ErrorCode.BAD_REQUEST && http?.status === 405) {
    (error.extensions as Record<string, unknown>)['code'] = ErrorCode.METHOD_NOT_ALLOWED;
  }
}

/**
 * Hive's error for a subgraph it could not reach (SUBREQUEST_HTTP_ERROR) names the host, port and
 * the internal request it sent: the client gets only which part of the graph is missing.
 */
function subgraphUnavailable(error: unknown): GraphQLError | undefined {
  if (!(error instanceof GraphQLError) || error.extensions['code'] !== 'SUBREQUEST_HTTP_ERROR')
    return undefined;
  const name = error.extensions['serviceName'];
  const subgraph = typeof name === 'string' ? name : undefined;
  return new GraphQLError(
    `The ${subgraph ?? 'requested'} part of the graph is not available just now; try again later.`,
    {
      ...(error.nodes ? { nodes: error.nodes } : {}),
      ...(error.source ? { source: error.source } : {}),
      ...(error.positions ? { positions: error.positions } : {}),
      ...(error.path ? { path: error.path } : {}),
      extensions: { code: ErrorCode.SUBGRAPH_UNAVAILABLE, ...(subgraph ? { subgraph } : {}) },
    },
  );
}

function safeCodedError(error: unknown): GraphQLError | undefined {
  if (!(error instanceof GraphQLError)) return undefined;
  methodNotAllowed(error);
  const code = error.extensions['code'];
  // Only documented codes (README, "Errors") reach a client; anything else is masked.
  if (typeof code !== 'string' || code === ErrorCode.INTERNAL_SERVER_ERROR || !(code in ERROR_CODES))
    return undefined;
  // Only message, locations, path and extensions are ever serialised; a subgraph's debugging
  // extensions are dropped by rebuilding the error from its safe parts.
  // `request`/`response`: Hive's record of the internal subgraph call.
  const { stacktrace, exception, request, response, ...extensions } = error.extensions;
  if ([stacktrace, exception, request, response].every((x) => x === undefined)) return error;
  return new GraphQLError(error.message, {
    ...(error.nodes ? { nodes: error.nodes } : {}),
    ...(error.source ? { source: error.source } : {}),
    ...(error.positions ? { positions: error.positions } : {}),
    ...(error.path ? { path: error.path } : {}),
    extensions,
  });
}

/**
 * GraphQL's and Yoga's own errors about the request itself (a required variable not given, a
 * variable of the wrong shape, a body that is not JSON) carry an HTTP 4xx status but no code:
 * they are the caller's to fix, so they get BAD_USER_INPUT and keep their message, which
 * describes only what the caller sent. An error caused by anything else stays masked.
 */
function requestError(error: unknown): GraphQLError | undefined {
  if (!(error instanceof GraphQLError) || error.extensions['code'] !== undefined) return undefined;
  if (error.originalError && !(error.originalError instanceof GraphQLError)) return undefined;
  const http = error.extensions['http'] as { status?: unknown } | undefined;
  const status = typeof http?.status === 'number' ? http.status : undefined;
  if (status === undefined || status < 400 || status > 499) return undefined;
  // Coded in place (the error is this request's own): a new object would be logged as a server error.
  (error.extensions as Record<string, unknown>)['code'] = ErrorCode.BAD_USER_INPUT;
  return error;
}
