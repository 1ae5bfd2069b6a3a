// Every call to a subgraph carries the gateway's signed internal token (the Principal, the
// correlation id, and the one request it is for: subgraph, method, path and body hash); the
// caller's own token never leaves the gateway. onFetch runs for every fetch — the query plan's,
// and early ones (gateway/speculative-fetches.ts) — so each gets a token of its own, as it must:
// subgraphs accept a token once (platform/replay-guard.ts).
import type { GatewayPlugin } from '@graphql-hive/gateway-runtime';
import { signInternalToken } from '../platform/internal-token.js';
import { principalOf } from './authentication.js';
import { correlationIdOf } from './correlation.js';
import { clientOperationNameOf } from './operator-endpoints.js';

/** `subgraphUrls`: each subgraph's name by the URL the gateway fetches it at (transportEntries). */
export function useSubgraphTrust(secret: Uint8Array, subgraphUrls: Record<string, string>): GatewayPlugin {
  const subgraphByUrl = new Map(Object.entries(subgraphUrls).map(([name, url]) => [new URL(url).href, name]));
  return {
    async onFetch(payload) {
      const request = (payload.context as { request?: Request }).request;
      const principal = request && principalOf(request);
      const url = new URL(payload.url);
      const subgraph = subgraphByUrl.get(url.href);
      // No principal means the request was refused before execution; nothing should be fetched.
      // An unknown URL gets no token: nothing leaves the gateway signed for somewhere else.
      if (!request || !principal || subgraph === undefined) return;
      const body = typeof payload.options.body === 'string' ? payload.options.body : '';
      const token = await signInternalToken(
        {
          principal,
          correlationId: correlationIdOf(request),
          operationName: clientOperationNameOf(request) ?? null,
        },
        { subgraph, method: payload.options.method ?? 'GET', path: url.pathname, body },
        secret,
      );
      const headers = new Headers(payload.options.headers);
      headers.set('authorization', `Bearer ${token}`);
      payload.setOptions({ ...payload.options, headers: Object.fromEntries(headers) });
    },
  };
}
