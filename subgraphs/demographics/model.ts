// The canonical demographics a source returns: FHIR-free, shaped for the graph.
import type { Period, Provenance } from '../../platform/canonical.js';

export type Gender = 'MALE' | 'FEMALE' | 'OTHER' | 'UNKNOWN';
export type DeathNotificationStatus = 'INFORMAL' | 'FORMAL';

export interface HumanName {
  use: string | null;
  prefix: string[];
  given: string[];
  family: string | null;
  suffix: string[];
  text: string;
  period: Period | null;
}

export interface Address {
  use: string | null;
  lines: string[];
  postcode: string | null;
  period: Period | null;
}

export interface ContactPoint {
  system: string;
  value: string;
  use: string | null;
  period: Period | null;
}

export interface Death {
  dateTime: string | null;
  notificationStatus: DeathNotificationStatus | null;
}

export interface PatientRecord {
  /** The current NHS number (PDS resource id). */
  nhsNumber: string;
  usualName: HumanName | null;
  names: HumanName[];
  birthDate: string | null;
  gender: Gender | null;
  /** Null for restricted patients, whatever the upstream sent. */
  address: Address | null;
  /** Empty for restricted patients. */
  telecom: ContactPoint[];
  deceased: Death | null;
  /** Null for restricted patients. */
  registeredGpOdsCode: string | null;
  restricted: boolean;
  /** Numbers that led to this record but are no longer its NHS number. */
  supersededNhsNumbers: string[];
  /** PDS `meta.versionId`, the ETag a later PATCH must send as `If-Match: W/"n"`. */
  versionId: string | null;
  provenance: Provenance;
}

export interface PatientSearchCriteria {
  family?: string | null;
  given?: string | null;
  birthDate?: string | null;
  gender?: Gender | null;
  postcode?: string | null;
  fuzzy?: boolean | null;
  limit?: number | null;
}

export interface PatientMatch {
  patient: PatientRecord;
  score: number;
}
