// The referrals subgraph (e-RS, FHIR STU3 and R4): its definition for composition
// and in-process tests; manifest.ts declares how it is configured and run.
import type { CacheTier } from '../../platform/cache.js';
import type { UpstreamClient } from '../../platform/http.js';
import { loadSubgraphTypeDefs, type SubgraphDefinition } from '../../platform/subgraph.js';
import { createLoaders, type ReferralsLoaders, type ReferralsSources } from './loaders.js';
import { referrals } from './manifest.js';
import { permissions } from './permissions.js';
import { resolvers } from './resolvers.js';
import { createErsSource } from './source.js';

export const typeDefs = loadSubgraphTypeDefs(referrals.schemaFile);
export { resolvers };

/** `services`: the short-lived cache tier for e-RS services (referrals are never cached). */
export function createReferralsSubgraph(
  ers: UpstreamClient,
  services: CacheTier,
  ersBaseUrl: string,
): SubgraphDefinition<ReferralsLoaders, ReferralsSources> {
  const cache = { tier: services, scope: ersBaseUrl };
  return {
    name: referrals.name,
    typeDefs,
    resolvers,
    permissions,
    createContext: (scope) => {
      const referrals = createErsSource(ers, cache, scope);
      return { ...scope, sources: { referrals }, loaders: createLoaders(referrals) };
    },
  };
}
