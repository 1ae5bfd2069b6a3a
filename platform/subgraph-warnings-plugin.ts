// Adds the request's warnings to the response's `extensions.warnings`; the gateway passes them
// on to the client (gateway/warnings.ts). Not errors: the data is answered, and Hive Gateway
// drops errors on fields that resolved to data anyway.
import type { ApolloServerPlugin } from '@apollo/server';
import type { RequestScope } from './subgraph.js';

export function warningsPlugin<TContext extends RequestScope>(): ApolloServerPlugin<TContext> {
  return {
    requestDidStart: () =>
      Promise.resolve({
        willSendResponse: ({ contextValue, response }) => {
          if (contextValue.warnings.length > 0 && response.body.kind === 'single') {
            const result = response.body.singleResult;
            result.extensions = { ...result.extensions, warnings: [...contextValue.warnings] };
          }
          return Promise.resolve();
        },
      }),
  };
}
