// The referrals subgraph (e-RS, FHIR STU3 and R4): its definition for composition and in-process
// tests, and an entry point that listens when run directly.
import type { CacheTier } from '../../platform/cache.js';
import { createUpstreamClient, type UpstreamClient } from '../../platform/http.js';
import type { Logger } from '../../platform/logger.js';
import {
  loadSubgraphTypeDefs,
  startCachedSubgraph,
  type SubgraphDefinition,
} from '../../platform/subgraph.js';
import { createLoaders, type ReferralsLoaders, type ReferralsSources } from './loaders.js';
import { permissions } from './permissions.js';
import { resolvers } from './resolvers.js';
import { createErsSource } from './source.js';

export const name = 'referrals';
export const typeDefs = loadSubgraphTypeDefs(new URL('./schema.graphql', import.meta.url));
export { resolvers };

/** `services`: the short-lived cache tier for e-RS services (referrals are never cached). */
export function createReferralsSubgraph(
  ers: UpstreamClient,
  services: CacheTier,
  ersBaseUrl: string,
): SubgraphDefinition<ReferralsLoaders, ReferralsSources> {
  const cache = { tier: services, scope: ersBaseUrl };
  return {
    name,
    typeDefs,
    resolvers,
    permissions,
    createContext: (scope) => {
      const referrals = createErsSource(ers, cache, scope);
      return { ...scope, sources: { referrals }, loaders: createLoaders(referrals) };
    },
  };
}

export const startReferralsSubgraph = (logger: Logger, env: NodeJS.ProcessEnv = process.env) =>
  startCachedSubgraph(env, logger, (config, cache) =>
    createReferralsSubgraph(
      createUpstreamClient(config.upstreams.ers, logger),
      // e-RS services change rarely but not per release: the short `demographics` tier (5 minutes).
      cache.tier('demographics'),
      config.upstreams.ers.baseUrl,
    ),
  );
