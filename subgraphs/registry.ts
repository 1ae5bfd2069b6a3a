// Every subgraph the gateway composes, one line each. A subgraph declares itself in its own
// manifest.ts; codegen, configuration, the stack launcher and the configuration reference are
// derived from this list, and nothing else enumerates subgraphs.
import type { AnySubgraphManifest } from '../platform/manifest.js';
import { audit } from './audit/manifest.js';
import { careRecord } from './careRecord/manifest.js';
import { demographics } from './demographics/manifest.js';
import { identity } from './identity/manifest.js';
import { medicines } from './medicines/manifest.js';
import { organisations } from './organisations/manifest.js';
import { referrals } from './referrals/manifest.js';

export const subgraphRegistry: readonly AnySubgraphManifest[] = [
  demographics,
  identity,
  organisations,
  referrals,
  careRecord,
  medicines,
  audit,
];
