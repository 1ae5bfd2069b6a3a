// Error masking for every subgraph: our own coded errors pass through; anything else is a bug,
// logged here and shown to the client only as INTERNAL_SERVER_ERROR (no message, no stack).
import type { GraphQLFormattedError } from 'graphql';
import { ErrorCode } from './errors.js';
import type { Logger } from './logger.js';

const EXPOSED_CODES = new Set<string>([
  ...Object.values(ErrorCode),
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'OPERATION_RESOLUTION_FAILURE',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);

/** Our own coded errors pass through; anything else is a bug and is logged, not shown. */
export function maskUnexpectedError(
  formatted: GraphQLFormattedError,
  error: unknown,
  logger: Logger,
): GraphQLFormattedError {
  const code = formatted.extensions?.['code'];
  if (typeof code === 'string' && EXPOSED_CODES.has(code) && code !== ErrorCode.INTERNAL_SERVER_ERROR) {
    return formatted;
  }
  logger.error({ err: error, path: formatted.path }, 'unexpected resolver error');
  return {
    message: 'Something went wrong in nhs-graph; the error has been logged.',
    ...(formatted.path ? { path: formatted.path } : {}),
    extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
  };
}
