// DataLoaders for one request (never module-level: a loader's memo must not outlive the request
// that filled it, and clinical data is never cached beyond it). The record loader is keyed by
// patient and section: every section asked of one patient in the same tick goes to GP Connect in
// one structured-record call with the union of what they asked (includeResolvedAllergies if any
// asked for ended allergies, includePrescriptionIssues if any asked for issues); each section then
// answers exactly what it asked for.
import DataLoader from 'dataloader';
import type { SubgraphContext } from '../../platform/subgraph.js';
import type { CareRecord, SectionRequest, SectionResult } from './model.js';
import type { CareRecordSource } from './source.js';

export interface SectionKey extends SectionRequest {
  nhsNumber: string;
}

export interface CareRecordLoaders {
  section: DataLoader<SectionKey, SectionResult, string>;
}

const cacheKey = (key: SectionKey) =>
  `${key.nhsNumber}|${key.section}|${key.includeEnded === true}|${key.includeIssues === true}`;

export function createLoaders(source: CareRecordSource): CareRecordLoaders {
  return {
    section: new DataLoader<SectionKey, SectionResult, string>(
      async (keys) => {
        const byPatient = new Map<string, SectionKey[]>();
        for (const key of keys) byPatient.set(key.nhsNumber, [...(byPatient.get(key.nhsNumber) ?? []), key]);
        const patients = [...byPatient].map(([nhsNumber, sections]) => ({ nhsNumber, sections }));
        const records = await source.getRecords(patients);
        const recordOf = new Map(patients.map((patient, i) => [patient.nhsNumber, records[i]]));
        // One result per key, in key order, errors as values (the DataLoader contract).
        return keys.map((key) => sectionOf(recordOf.get(key.nhsNumber), key));
      },
      { cacheKeyFn: cacheKey },
    ),
  };
}

/** The section `key` asked for, trimmed to what it asked (another key may have asked for more). */
export function sectionOf(record: CareRecord | Error | undefined, key: SectionKey): SectionResult | Error {
  if (record === undefined) return new Error(`no record answered for ${key.section}`);
  if (record instanceof Error) return record;
  const missing = new Error(`the record has no ${key.section} section`);
  switch (key.section) {
    case 'allergies': {
      const allergies = record.allergies ?? missing;
      if (allergies instanceof Error || key.includeEnded === true) return allergies;
      return { ...allergies, ended: null };
    }
    case 'medications': {
      const medications = record.medications ?? missing;
      if (medications instanceof Error || key.includeIssues === true) return medications;
      return { ...medications, items: medications.items.map((item) => ({ ...item, issues: null })) };
    }
    case 'problems':
      return record.problems ?? missing;
    default:
      return record.immunisations ?? missing;
  }
}

export interface CareRecordSources {
  careRecord: CareRecordSource;
}

export type CareRecordContext = SubgraphContext<CareRecordLoaders, CareRecordSources>;
