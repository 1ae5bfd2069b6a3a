// What every subgraph shares: the request scope and context its resolvers see, and the
// definition its server.ts supplies (name, SDL, resolvers, rules, context factory). The work is
// split by job: subgraph-schema.ts (SDL, Apollo Server), subgraph-listener.ts (HTTP, internal
// token), subgraph-errors.ts (masking), subgraph-audit-plugin.ts, subgraph-warnings-plugin.ts,
// and subgraph-factory.ts (running one from its manifest).
import type { DocumentNode } from 'graphql';
import type { IMiddlewareGenerator } from 'graphql-middleware';
import type { RequestAudit } from './audit/index.js';
import type { Logger } from './logger.js';
import type { Principal } from './principal.js';

export { createSubgraphServer, loadSubgraphTypeDefs } from './subgraph-schema.js';
export { listenSubgraph, type ListenOptions, type RunningSubgraph } from './subgraph-listener.js';

export interface RequestScope {
  correlationId: string;
  logger: Logger;
  /** The caller, as the gateway established it; every field's rule reads it. */
  principal: Principal;
  /** This request's audit trail: sources record upstream reads, the shield records denials. */
  audit: RequestAudit;
  /** Warnings for the response's `extensions.warnings` (e.g. STALE_DATA); resolvers add them. */
  warnings: ResponseWarning[];
}

/** Something the client should know about data it was given, sent in `extensions.warnings`. */
export interface ResponseWarning {
  /** `STALE_DATA`: served from cache because the service failed; `ageSeconds` says how old. */
  code: 'STALE_DATA';
  /** Where the data is in this subgraph's response (the gateway's client path may differ). */
  path: ReadonlyArray<string | number>;
  service: string;
  ageSeconds: number;
  message: string;
}

export interface SubgraphContext<Loaders, Sources = unknown> extends RequestScope {
  /** Per-request DataLoaders, for reads by key. */
  loaders: Loaders;
  /** Per-request sources, for calls that are not by key (searches, writes). */
  sources: Sources;
}

export interface SubgraphDefinition<Loaders, Sources = unknown> {
  name: string;
  typeDefs: DocumentNode;
  /** The subgraph's resolver map, typed by its generated `Resolvers` type. */
  resolvers: object;
  /** graphql-shield rules for every field (platform/authorisation.ts createPermissions). */
  permissions: IMiddlewareGenerator<unknown, unknown, unknown>;
  /** Builds sources and loaders afresh for each request. */
  createContext(scope: RequestScope): SubgraphContext<Loaders, Sources>;
}
