// The careRecord subgraph (GP Connect Access Record: Structured and Appointment Management, FHIR
// STU3): its definition for composition and in-process tests; manifest.ts declares how it is
// configured and run. Clinical data is never cached: there is no cache tier here at all.
import type { UpstreamClient } from '../../platform/http.js';
import type { IdempotencyStore } from '../../platform/idempotency.js';
import { loadSubgraphTypeDefs, type SubgraphDefinition } from '../../platform/subgraph.js';
import { createLoaders, type CareRecordLoaders, type CareRecordSources } from './loaders.js';
import { careRecord } from './manifest.js';
import { permissions } from './permissions.js';
import { resolvers } from './resolvers.js';
import { createGpConnectSource, type GpConnectSettings } from './source.js';

export const typeDefs = loadSubgraphTypeDefs(careRecord.schemaFile);
export { resolvers };

/** `idempotency`: the store keyed writes (book, cancel) go through; without it they are refused. */
export function createCareRecordSubgraph(
  gpconnect: UpstreamClient,
  settings: GpConnectSettings,
  idempotency?: IdempotencyStore,
): SubgraphDefinition<CareRecordLoaders, CareRecordSources> {
  return {
    name: careRecord.name,
    typeDefs,
    resolvers,
    permissions,
    createContext: (scope) => {
      const source = createGpConnectSource(gpconnect, settings, scope, idempotency);
      return { ...scope, sources: { careRecord: source }, loaders: createLoaders(source) };
    },
  };
}
