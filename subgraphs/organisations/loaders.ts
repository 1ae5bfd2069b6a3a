// DataLoaders for one request (never module-level: a loader's cache must not outlive the request
// that filled it; the `directory` cache tier is what outlives requests). Fifty patients registered
// at three practices cost three ODS reads, at most ODS_CONCURRENCY at a time.
import DataLoader from 'dataloader';
import type { SubgraphContext } from '../../platform/subgraph.js';
import type { OrganisationRecord, OrganisationRelationship } from './model.js';
import type { OrganisationsSource } from './source.js';

export interface OrganisationsLoaders {
  organisationByOdsCode: DataLoader<string, OrganisationRecord>;
  relationshipsByOdsCode: DataLoader<string, OrganisationRelationship[]>;
}

export function createLoaders(source: OrganisationsSource): OrganisationsLoaders {
  return {
    // Both sources return one result per key, in key order, errors as values: DataLoader's contract.
    organisationByOdsCode: new DataLoader<string, OrganisationRecord>((codes) =>
      source.getOrganisations(codes),
    ),
    relationshipsByOdsCode: new DataLoader<string, OrganisationRelationship[]>((codes) =>
      source.getRelationships(codes),
    ),
  };
}

export interface OrganisationsSources {
  organisations: OrganisationsSource;
}

export type OrganisationsContext = SubgraphContext<OrganisationsLoaders, OrganisationsSources>;
