// A subgraph's schema and Apollo Server: its SDL (canonical shared types + its own schema),
// buildSubgraphSchema, the shield around every resolver, error masking and the plugins.
import { readFileSync } from 'node:fs';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse, type DocumentNode } from 'graphql';
import { applyMiddleware, type IMiddlewareFunction } from 'graphql-middleware';
import { auditDenials } from './authorisation.js';
import { ageInSeconds, type Provenance } from './canonical.js';
import type { Logger } from './logger.js';
import { scalarResolvers } from './scalars.js';
import { auditPlugin } from './subgraph-audit-plugin.js';
import { maskUnexpectedError } from './subgraph-errors.js';
import { warningsPlugin } from './subgraph-warnings-plugin.js';
import type { SubgraphContext, SubgraphDefinition } from './subgraph.js';

const SHARED_SDL = new URL('../schema/shared.graphql', import.meta.url);

/** The subgraph's SDL: the canonical shared types followed by its own schema.graphql. */
export function loadSubgraphTypeDefs(schemaFile: URL): DocumentNode {
  return parse(`${readFileSync(SHARED_SDL, 'utf8')}\n${readFileSync(schemaFile, 'utf8')}`);
}

export function createSubgraphServer<L, S>(
  definition: SubgraphDefinition<L, S>,
  logger: Logger,
): ApolloServer<SubgraphContext<L, S>> {
  return new ApolloServer<SubgraphContext<L, S>>({
    // The shield wraps every resolver, including _entities' reference resolution.
    schema: applyMiddleware(
      buildSubgraphSchema({
        typeDefs: definition.typeDefs,
        resolvers: { ...scalarResolvers, Provenance: provenanceResolvers, ...definition.resolvers },
      }),
      // Outermost first: the denial auditor sees what the shield decides.
      auditDenials as IMiddlewareFunction,
      definition.permissions,
    ),
    includeStacktraceInErrorResponses: false,
    // Shutdown is platform/process.ts's: Apollo's own SIGTERM handler deadlocked stop() with ours.
    stopOnTerminationSignals: false,
    // No Apollo Studio here: federated tracing would only add work to every request.
    plugins: [
      ApolloServerPluginInlineTraceDisabled(),
      auditPlugin<SubgraphContext<L, S>>(definition.name),
      warningsPlugin<SubgraphContext<L, S>>(),
    ],
    formatError: (formatted, error) => maskUnexpectedError(formatted, error, logger),
  });
}

/** Every subgraph's Provenance: `ageSeconds` from the source when it set one, else from retrievedAt. */
const provenanceResolvers = {
  ageSeconds: (provenance: Provenance): number =>
    provenance.ageSeconds ?? ageInSeconds(provenance.retrievedAt),
};
