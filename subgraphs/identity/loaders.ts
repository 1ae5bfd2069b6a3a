// Identity reads nothing from an upstream, so it has no loaders or sources: its context is the
// request scope (correlation id, logger, Principal) alone.
import type { SubgraphContext } from '../../platform/subgraph.js';

export type IdentityContext = SubgraphContext<Record<string, never>, Record<string, never>>;
