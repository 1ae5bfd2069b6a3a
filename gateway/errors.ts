// What leaves the gateway: coded errors from subgraphs pass through with their message and
// code; anything unexpected is masked. Stack traces, upstream bodies and internal hostnames
// are never sent. Hive Gateway logs the original on the request's logger, with its correlation id.
import { GraphQLError } from 'graphql';
import { ErrorCode } from '../platform/errors.js';

type MaskError = (error: unknown, message: string, isDev?: boolean) => Error;

export function maskedErrors(_development: boolean): { maskError: MaskError } {
  return {
    maskError(error, message) {
      const safe = safeCodedError(error);
      if (safe) return safe;
      return new GraphQLError(message, { extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } });
    },
  };
}

function safeCodedError(error: unknown): GraphQLError | undefined {
  if (!(error instanceof GraphQLError)) return undefined;
  const code = error.extensions['code'];
  if (typeof code !== 'string' || code === ErrorCode.INTERNAL_SERVER_ERROR) return undefined;
  // Rebuild the error from its safe parts only: message, path, locations, and our extensions
  // minus anything a subgraph might have attached for debugging.
  const { stacktrace: _stack, exception: _exception, ...extensions } = error.extensions;
  return new GraphQLError(error.message, {
    ...(error.nodes ? { nodes: error.nodes } : {}),
    ...(error.source ? { source: error.source } : {}),
    ...(error.positions ? { positions: error.positions } : {}),
    ...(error.path ? { path: error.path } : {}),
    extensions,
  });
}
