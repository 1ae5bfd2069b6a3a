// What one request may cost the graph: body size and batch size (before parsing), token count
// (while parsing), depth, aliases and cost (while validating), each refused with its own code.
// Depth, aliases, tokens and cost are graphql-armor's checks; their own errors carry no code and
// read "Syntax Error: …", so each refusal is re-raised here as a coded GraphQLError. Field
// suggestions ("Did you mean …?") map the schema for a caller who may not introspect it, so they
// are hidden in production.
import { blockFieldSuggestionsPlugin } from '@escape.tech/graphql-armor-block-field-suggestions';
import { costLimitPlugin, costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesPlugin, maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthPlugin, maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import type { GatewayPlugin } from '@graphql-hive/gateway-runtime';
import { GraphQLError, type ValidationContext, type ValidationRule } from 'graphql';
import type { QueryLimits } from './config.js';
import { ErrorCode } from '../platform/errors.js';

type ArmorReject = (context: ValidationContext | null, error: GraphQLError) => void;

const limitError = (code: ErrorCode, armorError: GraphQLError, status = 400) =>
  new GraphQLError(armorError.message.replace(/^Syntax Error: /, ''), {
    extensions: { code, http: { status } },
  });

/** Validation-time refusals are reported like any validation error, so all of them are listed. */
const report =
  (code: ErrorCode): ArmorReject =>
  (context, error) =>
    context?.reportError(limitError(code, error));

/** Armor options for one validation-time limit: report our coded error instead of throwing armor's. */
const coded = (code: ErrorCode) => ({ onReject: [report(code)], propagateOnRejection: false });

/** The validation rules for depth, aliases and cost (also used to check partners' manifests). */
export function limitRules(limits: QueryLimits): ValidationRule[] {
  return [
    maxDepthRule({ n: limits.depth, ...coded(ErrorCode.QUERY_TOO_DEEP) }),
    maxAliasesRule({ n: limits.aliases, ...coded(ErrorCode.TOO_MANY_ALIASES) }),
    costLimitRule({ maxCost: limits.cost, ...coded(ErrorCode.QUERY_TOO_COMPLEX) }),
  ] as ValidationRule[];
}

export function useQueryLimits(limits: QueryLimits, options: { production: boolean }): GatewayPlugin[] {
  return [
    useRequestSizeLimits(limits),
    maxTokensPlugin({
      n: limits.tokens,
      // The token count is checked while parsing, where there is no validation context to report
      // to: the coded error is thrown and ends the parse.
      onReject: [
        (_context, error) => {
          throw limitError(ErrorCode.TOO_MANY_TOKENS, error);
        },
      ],
    }) as GatewayPlugin,
    maxDepthPlugin({ n: limits.depth, ...coded(ErrorCode.QUERY_TOO_DEEP) }) as GatewayPlugin,
    maxAliasesPlugin({ n: limits.aliases, ...coded(ErrorCode.TOO_MANY_ALIASES) }) as GatewayPlugin,
    costLimitPlugin({ maxCost: limits.cost, ...coded(ErrorCode.QUERY_TOO_COMPLEX) }) as GatewayPlugin,
    ...(options.production ? [blockFieldSuggestionsPlugin() as GatewayPlugin] : []),
  ];
}

/**
 * A refused body may not have been read to its end (too large by Content-Length, or far past the
 * limit), so the connection cannot carry another request: `Connection: close` tells a keep-alive
 * client so, where reusing it would end in a reset.
 */
const tooLarge = (message: string) =>
  new GraphQLError(message, {
    extensions: {
      code: ErrorCode.REQUEST_TOO_LARGE,
      http: { status: 413, headers: { connection: 'close' } },
    },
  });

/**
 * Body size (by Content-Length, and by counting the bytes of a body sent without one) and batch
 * size, before anything is parsed. Hive Gateway does not pass Yoga's body limit through, and
 * Yoga's own refusals carry codes of their own.
 */
export function useRequestSizeLimits(limits: Pick<QueryLimits, 'bodyBytes' | 'batch'>): GatewayPlugin {
  return {
    onRequestParse({ request, requestParser, setRequestParser, fetchAPI }) {
      const declared = request.headers.get('content-length');
      if (declared !== null && Number(declared) > limits.bodyBytes) {
        throw tooLarge(`The request body is larger than ${limits.bodyBytes} bytes.`);
      }
      if (requestParser && request.body) {
        setRequestParser((original) => requestParser(limitedRequest(original, limits.bodyBytes, fetchAPI)));
      }
      return {
        onRequestParseDone({ requestParserResult }) {
          if (Array.isArray(requestParserResult) && requestParserResult.length > limits.batch) {
            throw new GraphQLError(`A batch may hold at most ${limits.batch} operations.`, {
              extensions: { code: ErrorCode.BATCH_TOO_LARGE, http: { status: 413 } },
            });
          }
        },
      };
    },
  };
}

type FetchAPI = Pick<typeof globalThis, 'Request' | 'TransformStream'>;

/** How much of an oversized body is read (and dropped) so that its refusal arrives intact. */
const OVERSIZED_BODY_DRAIN_BYTES = 1024 * 1024;

/** The same request, whose body stream fails once more than `limit` bytes have been sent. */
function limitedRequest(request: Request, limit: number, fetchAPI: FetchAPI): Request {
  if (!request.body) return request;
  // The server adapter may hand over a ponyfilled stream; each stream pipes only into its own kind.
  const Transform = request.body instanceof ReadableStream ? TransformStream : fetchAPI.TransformStream;
  let read = 0;
  const refusal = () => tooLarge(`The request body is larger than ${limit} bytes.`);
  const body = request.body.pipeThrough(
    new Transform<Uint8Array, Uint8Array>({
      // Past the limit the rest is read and dropped, and the refusal comes at the end of the body:
      // a connection closed while the client is still sending is reset, and the client sees the
      // reset instead of the 413. A body that goes on far past the limit is cut off at once.
      transform(chunk, controller) {
        read += chunk.byteLength;
        if (read > limit + OVERSIZED_BODY_DRAIN_BYTES) controller.error(refusal());
        else if (read <= limit) controller.enqueue(chunk);
      },
      flush(controller) {
        if (read > limit) controller.error(refusal());
      },
    }),
  );
  return new fetchAPI.Request(request.url, {
    method: request.method,
    headers: request.headers,
    signal: request.signal,
    body,
    duplex: 'half',
  } as RequestInit);
}
