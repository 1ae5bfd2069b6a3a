// HTTP-level protections of the public edge:
// - CORS from an allow-list in configuration (none in production unless configured; localhost in
//   development). An origin not on the list gets no CORS headers at all, so browsers refuse it.
// - CSRF: a request a browser could send cross-site without a CORS preflight (a GET, or a POST
//   with a form or text/plain body) must carry one of the CSRF headers, as Yoga's csrfPrevention
//   does; refused here with a code (Yoga's own refusal carries none).
// - GET runs only persisted query documents: no free-form query text, never a mutation.
// - Security headers on every response; nothing from the graph (patient data) is cached.
import type { GatewayConfig, GatewayPlugin } from '@graphql-hive/gateway-runtime';
import { getOperationAST, GraphQLError, OperationTypeNode, type DocumentNode } from 'graphql';
import type { EdgeConfig } from './config.js';
import { CORRELATION_HEADER } from '../platform/correlation.js';
import { ErrorCode } from '../platform/errors.js';

/** Any one of these proves the request was preflighted (the names Apollo and Yoga clients send). */
export const CSRF_HEADERS = ['apollo-require-preflight', 'x-apollo-operation-name', 'x-graphql-yoga-csrf'];

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Pure: whether CORS allows this browser origin. */
export function isAllowedOrigin(origin: string, cors: EdgeConfig['cors']): boolean {
  if (cors.origins.includes(origin)) return true;
  if (!cors.localhost) return false;
  try {
    const url = new URL(origin);
    return (url.protocol === 'http:' || url.protocol === 'https:') && LOCAL_HOSTS.has(url.hostname);
  } catch {
    return false;
  }
}

type CorsOption = NonNullable<GatewayConfig<Record<string, never>>['cors']>;

export function corsOptions(cors: EdgeConfig['cors']): CorsOption {
  return (request: Request) => {
    const origin = request.headers.get('origin');
    if (origin === null || !isAllowedOrigin(origin, cors)) return false;
    return {
      origin: [origin],
      methods: ['GET', 'POST'],
      allowedHeaders: ['authorization', 'content-type', 'accept', CORRELATION_HEADER, ...CSRF_HEADERS],
      exposedHeaders: [CORRELATION_HEADER, 'retry-after'],
      // Bearer tokens, not cookies: the browser need not send credentials.
      credentials: false,
      maxAge: 600,
    };
  };
}

const NON_PREFLIGHTED_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'];

/** Pure: whether a browser could have sent this request cross-site without a preflight. */
export function needsCsrfHeader(method: string, contentType: string | null, headers: Headers): boolean {
  if (CSRF_HEADERS.some((name) => headers.has(name))) return false;
  if (method === 'GET' || method === 'HEAD' || contentType === null) return true;
  const type = contentType.toLowerCase();
  return NON_PREFLIGHTED_TYPES.some((simple) => type.startsWith(simple));
}

const refusal = (code: ErrorCode, message: string, status: number, headers?: Record<string, string>) =>
  new GraphQLError(message, { extensions: { code, http: { status, ...(headers ? { headers } : {}) } } });

/**
 * Yoga's GET parser JSON-parses these parameters and lets a SyntaxError escape, which would be
 * masked as an internal error (and logged with its stack); they are the caller's to fix.
 */
export function refuseUnparsableSearchParams(params: URLSearchParams): void {
  for (const name of ['variables', 'extensions']) {
    const text = params.get(name);
    if (text === null) continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      value = undefined;
    }
    if (value === null || (typeof value === 'object' && !Array.isArray(value))) continue;
    throw refusal(ErrorCode.BAD_USER_INPUT, `The ${name} parameter must be a JSON object.`, 400);
  }
}

export function useHttpHygiene(options: { production: boolean }): GatewayPlugin {
  return {
    onRequestParse({ request }) {
      if (needsCsrfHeader(request.method, request.headers.get('content-type'), request.headers)) {
        throw refusal(
          ErrorCode.CSRF_HEADER_REQUIRED,
          `This request must carry one of these headers: ${CSRF_HEADERS.join(', ')}.`,
          403,
        );
      }
      if (request.method === 'GET') refuseUnparsableSearchParams(new URL(request.url).searchParams);
    },
    onParams({ request, params }) {
      if (request.method === 'GET' && typeof params.query === 'string' && params.query !== '') {
        throw refusal(
          ErrorCode.METHOD_NOT_ALLOWED,
          'GET runs persisted queries only (by documentId or persistedQuery hash); POST other queries.',
          405,
          { Allow: 'POST' },
        );
      }
    },
    onParse({ context }) {
      const request = (context as { request?: Request }).request;
      const operationName = (context as { params?: { operationName?: string } }).params?.operationName;
      if (request?.method !== 'GET') return;
      return ({ result }) => {
        if (result instanceof Error) return;
        const operation = getOperationAST(result as DocumentNode, operationName);
        if (operation && operation.operation !== OperationTypeNode.QUERY) {
          throw refusal(ErrorCode.METHOD_NOT_ALLOWED, 'Only queries may be sent with GET.', 405, {
            Allow: 'POST',
          });
        }
      };
    },
    onResponse({ response }) {
      const headers = response.headers;
      headers.set('X-Content-Type-Options', 'nosniff');
      headers.set('Referrer-Policy', 'no-referrer');
      headers.set('X-Frame-Options', 'DENY');
      // Answers hold patient data and vary by caller: no browser, proxy or CDN may keep them.
      headers.set('Cache-Control', 'no-store');
      headers.append('Vary', 'Origin');
      if (!headers.get('content-type')?.startsWith('text/html')) {
        headers.set('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'");
      }
      if (options.production) headers.set('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
    },
  };
}
