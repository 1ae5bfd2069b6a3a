// Every call to a subgraph carries the gateway's signed internal token (the Principal, the
// correlation id and a hash of the body); the caller's own token never leaves the gateway.
import type { GatewayPlugin } from '@graphql-hive/gateway-runtime';
import { signInternalToken } from '../platform/internal-token.js';
import { principalOf } from './authentication.js';
import { correlationIdOf } from './correlation.js';

export function useSubgraphTrust(secret: Uint8Array): GatewayPlugin {
  return {
    async onFetch(payload) {
      const request = (payload.context as { request?: Request }).request;
      const principal = request && principalOf(request);
      // No principal means the request was refused before execution; nothing should be fetched.
      if (!request || !principal) return;
      const body = typeof payload.options.body === 'string' ? payload.options.body : '';
      const token = await signInternalToken(
        { principal, correlationId: correlationIdOf(request) },
        body,
        secret,
      );
      const headers = new Headers(payload.options.headers);
      headers.set('authorization', `Bearer ${token}`);
      payload.setOptions({ ...payload.options, headers: Object.fromEntries(headers) });
    },
  };
}
