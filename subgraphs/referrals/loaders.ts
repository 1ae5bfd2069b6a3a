// DataLoaders for one request (never module-level: a loader's cache must not outlive the request
// that filled it). A referral asked for twice, or listed for two patients, costs one e-RS read.
import DataLoader from 'dataloader';
import type { SubgraphContext } from '../../platform/subgraph.js';
import type { ReferralRecord, ReferralServiceRecord } from './model.js';
import type { ReferralsSource } from './source.js';

export interface ReferralsLoaders {
  referralByUbrn: DataLoader<string, ReferralRecord>;
  ubrnsByNhsNumber: DataLoader<string, string[]>;
  serviceById: DataLoader<string, ReferralServiceRecord>;
}

export function createLoaders(source: ReferralsSource): ReferralsLoaders {
  return {
    // Every source method returns one result per key, in key order, errors as values.
    referralByUbrn: new DataLoader<string, ReferralRecord>((ubrns) => source.getReferrals(ubrns)),
    ubrnsByNhsNumber: new DataLoader<string, string[]>((nhsNumbers) => source.getPatientUbrns(nhsNumbers)),
    serviceById: new DataLoader<string, ReferralServiceRecord>((ids) => source.getServices(ids)),
  };
}

export interface ReferralsSources {
  referrals: ReferralsSource;
}

export type ReferralsContext = SubgraphContext<ReferralsLoaders, ReferralsSources>;
