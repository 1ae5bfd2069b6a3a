// DataLoaders for one request (never module-level: a loader's cache must not outlive the request
// that filled it; the `reference` cache tier is what outlives requests). Every medicine a request
// needs in one tick (ten medications of a care record, three aliases, a search's results) goes to
// dm+d as one batch call.
import DataLoader from 'dataloader';
import type { SubgraphContext } from '../../platform/subgraph.js';
import type { MedicineRecord } from './model.js';
import type { MedicinesSource } from './source.js';

export interface MedicinesLoaders {
  /** The medicine with a dm+d code; null when dm+d holds no medicine with it. */
  medicineByCode: DataLoader<string, MedicineRecord | null>;
}

export function createLoaders(source: MedicinesSource): MedicinesLoaders {
  return {
    // The source returns one result per key, in key order, errors as values: DataLoader's contract.
    medicineByCode: new DataLoader<string, MedicineRecord | null>((codes) => source.getMedicines(codes)),
  };
}

export interface MedicinesSources {
  medicines: MedicinesSource;
}

export type MedicinesContext = SubgraphContext<MedicinesLoaders, MedicinesSources>;
