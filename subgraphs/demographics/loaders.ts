// DataLoaders for one request (never module-level: a loader's cache must not outlive the
// request that filled it). The same patient asked for twice in a query costs one PDS call.
import DataLoader from 'dataloader';
import type { SubgraphContext } from '../../platform/subgraph.js';
import type { PatientRecord } from './model.js';
import type { DemographicsSource } from './source.js';

export interface DemographicsLoaders {
  patientByNhsNumber: DataLoader<string, PatientRecord>;
}

export function createLoaders(source: DemographicsSource): DemographicsLoaders {
  return {
    // getPatients returns one result per key, in key order, errors as values: DataLoader's contract.
    patientByNhsNumber: new DataLoader<string, PatientRecord>((nhsNumbers) => source.getPatients(nhsNumbers)),
  };
}

export interface DemographicsSources {
  demographics: DemographicsSource;
}

export type DemographicsContext = SubgraphContext<DemographicsLoaders, DemographicsSources>;
