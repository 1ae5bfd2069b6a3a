// One correlation id per request: a client's sane X-Correlation-ID is kept, otherwise one is
// minted. It is sent to every subgraph call and returned on the response.
import type { GatewayPlugin } from '@graphql-hive/gateway-runtime';
import { CORRELATION_HEADER, resolveCorrelationId } from '../platform/correlation.js';

const correlationIds = new WeakMap<Request, string>();

export function correlationIdOf(request: Request): string {
  let id = correlationIds.get(request);
  if (id === undefined) {
    id = resolveCorrelationId(request.headers.get(CORRELATION_HEADER));
    correlationIds.set(request, id);
  }
  return id;
}

export function useCorrelationId(): GatewayPlugin {
  return {
    onRequest({ request }) {
      correlationIdOf(request);
    },
    onFetch(payload) {
      const { context, options } = payload;
      const request = (context as { request?: Request }).request;
      if (!request) return;
      const headers = new Headers(options.headers);
      headers.set(CORRELATION_HEADER, correlationIdOf(request));
      payload.setOptions({ ...options, headers: Object.fromEntries(headers) });
    },
    onResponse({ request, response }) {
      response.headers.set(CORRELATION_HEADER, correlationIdOf(request));
    },
  };
}
