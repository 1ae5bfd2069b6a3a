// Tells each request's audit trail which operation and fields it serves, flushes it (with the
// shield's denials) when the response is sent, and counts the request's outcome.
import type { ApolloServerPlugin } from '@apollo/server';
import { operationFields } from './audit/operation-fields.js';
import { graphqlRequests, operationLabel } from './metrics.js';
import type { RequestScope } from './subgraph.js';

export function auditPlugin<TContext extends RequestScope>(component: string): ApolloServerPlugin<TContext> {
  return {
    requestDidStart: () =>
      Promise.resolve({
        didResolveOperation: ({ contextValue, operationName, document, schema }) => {
          contextValue.audit.setOperation(operationName ?? null, operationFields(schema, document));
          return Promise.resolve();
        },
        willSendResponse: ({ contextValue, response }) => {
          const errors = response.body.kind === 'single' ? response.body.singleResult.errors : undefined;
          const code = errors?.[0]?.extensions?.['code'];
          graphqlRequests.inc({
            component,
            // The client's operation (signed by the gateway), not the planner's name for this fetch.
            operation: operationLabel(contextValue.audit.operationName()),
            outcome: typeof code === 'string' ? code : errors ? 'error' : 'ok',
          });
          return contextValue.audit.flush();
        },
      }),
  };
}
