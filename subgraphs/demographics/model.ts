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
  /** PDS's id for this address (what a change names). */
  id: string | null;
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

/** A new home address for a patient, made against the record version the caller read. */
export interface AddressChange {
  nhsNumber: string;
  /** The `versionId` the caller read; PDS refuses the change if the record has moved on. */
  version: string;
  lines: string[];
  postcode: string;
}

/** One RFC 6902 operation, as PDS's PATCH takes them in `{ "patches": [...] }`. */
export type JsonPatchOperation =
  { op: 'add' | 'replace' | 'test'; path: string; value: unknown } | { op: 'remove'; path: string };

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
