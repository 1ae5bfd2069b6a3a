// Every subgraph the gateway composes, in one list. Adding a national service means adding it
// here (and to codegen.ts and platform/config.ts); nothing else enumerates subgraphs.
import type { Config } from '../platform/config.js';
import type { Logger } from '../platform/logger.js';
import type { RunningSubgraph } from '../platform/subgraph.js';

export interface SubgraphEntry {
  name: keyof Config['subgraphs'];
  schemaFile: URL;
  start(logger: Logger, env?: NodeJS.ProcessEnv): Promise<RunningSubgraph>;
}

export const subgraphRegistry: SubgraphEntry[] = [
  {
    name: 'demographics',
    schemaFile: new URL('./demographics/schema.graphql', import.meta.url),
    start: async (logger, env) =>
      (await import('./demographics/server.js')).startDemographicsSubgraph(logger, env),
  },
  {
    name: 'identity',
    schemaFile: new URL('./identity/schema.graphql', import.meta.url),
    start: async (logger, env) => (await import('./identity/server.js')).startIdentitySubgraph(logger, env),
  },
  {
    name: 'organisations',
    schemaFile: new URL('./organisations/schema.graphql', import.meta.url),
    start: async (logger, env) =>
      (await import('./organisations/server.js')).startOrganisationsSubgraph(logger, env),
  },
  {
    name: 'referrals',
    schemaFile: new URL('./referrals/schema.graphql', import.meta.url),
    start: async (logger, env) => (await import('./referrals/server.js')).startReferralsSubgraph(logger, env),
  },
  {
    name: 'careRecord',
    schemaFile: new URL('./careRecord/schema.graphql', import.meta.url),
    start: async (logger, env) =>
      (await import('./careRecord/server.js')).startCareRecordSubgraph(logger, env),
  },
  {
    name: 'medicines',
    schemaFile: new URL('./medicines/schema.graphql', import.meta.url),
    start: async (logger, env) => (await import('./medicines/server.js')).startMedicinesSubgraph(logger, env),
  },
  {
    name: 'audit',
    schemaFile: new URL('./audit/schema.graphql', import.meta.url),
    start: async (logger, env) => (await import('./audit/server.js')).startAuditSubgraph(logger, env),
  },
];
