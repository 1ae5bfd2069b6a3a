// The canonical care record a source returns: FHIR-free, shaped for the graph. One GP Connect
// structured record becomes one CareRecord; each clinical area in it is a ClinicalList.
import type { Concept, Provenance } from '../../platform/canonical.js';

/** A Patient entity reference (demographics owns Patient). */
export interface CareRecordPatient {
  nhsNumber: string;
}

/** The clinical areas of GP Connect's structured record nhs-graph reads. */
export type Section = 'allergies' | 'medications' | 'problems' | 'immunisations';

/** What one request asks of a patient's record; options are unioned across the request. */
export interface SectionRequest {
  section: Section;
  /** allergies: also the ended (resolved) allergies list (`includeResolvedAllergies`). */
  includeEnded?: boolean;
  /** medications: also each prescription issue (`includePrescriptionIssues`). */
  includeIssues?: boolean;
}

export type EmptyReasonKind =
  | 'NIL_KNOWN'
  | 'NO_CONTENT_RECORDED'
  | 'NOT_ASKED'
  | 'WITHHELD'
  | 'UNAVAILABLE'
  | 'NOT_STARTED'
  | 'CLOSED'
  | 'NONE_GIVEN'
  | 'NOT_PROVIDED'
  | 'OTHER';

export interface EmptyReason {
  kind: EmptyReasonKind;
  /** The coded reason exactly as GP Connect sent it; null when it sent none. */
  concept: Concept | null;
  /** The reason's text (e.g. the "No known allergies" term), else the list's notes. */
  text: string | null;
}

export type ListWarningKind = 'CONFIDENTIAL_ITEMS' | 'DATA_IN_TRANSIT' | 'DATA_AWAITING_FILING' | 'OTHER';

export interface ListWarning {
  kind: ListWarningKind;
  /** GP Connect's warning code, e.g. `confidential-items`. */
  code: string;
}

/** One GP Connect List: its items and everything that says how complete it is. */
export interface ClinicalList<T> {
  items: T[];
  /** Set only when `items` is empty. */
  emptyReason: EmptyReason | null;
  warnings: ListWarning[];
  notes: string[];
  /** Entries the list named that the response did not contain. */
  unresolvedEntries: number;
}

export interface AllergyReaction {
  manifestations: Concept[];
  description: string | null;
  severity: string | null;
}

export interface Allergy {
  id: string;
  code: Concept;
  /** What the GP system recorded as text, e.g. the original term behind a transfer-degraded code. */
  originalText: string | null;
  clinicalStatus: string | null;
  verificationStatus: string | null;
  type: string | null;
  categories: string[];
  criticality: string | null;
  onset: string | null;
  assertedDate: string | null;
  lastOccurrence: string | null;
  endDate: string | null;
  endReason: string | null;
  reactions: AllergyReaction[];
  notes: string[];
}

export interface Allergies {
  active: ClinicalList<Allergy>;
  /** Null unless ended allergies were asked for. */
  ended: ClinicalList<Allergy> | null;
  provenance: Provenance;
}

export interface MedicationIssue {
  id: string;
  status: string | null;
  authoredOn: string | null;
  quantity: string | null;
  supplyDuration: string | null;
  validFrom: string | null;
  validTo: string | null;
}

export interface Medication {
  id: string;
  code: Concept;
  originalText: string | null;
  /** The dm+d concept id, when the Medication is coded under SNOMED CT or dm+d. */
  dmdCode: string | null;
  status: string | null;
  prescriptionType: Concept | null;
  prescribingAgency: Concept | null;
  effectiveStart: string | null;
  effectiveEnd: string | null;
  dateAsserted: string | null;
  lastIssueDate: string | null;
  dosage: string | null;
  patientInstruction: string | null;
  quantity: string | null;
  repeatsAllowed: number | null;
  repeatsIssued: number | null;
  notes: string[];
  /** Null unless issues were asked for. */
  issues: MedicationIssue[] | null;
}

export interface Problem {
  id: string;
  code: Concept;
  originalText: string | null;
  clinicalStatus: string | null;
  significance: string | null;
  onset: string | null;
  abatement: string | null;
  assertedDate: string | null;
  notes: string[];
}

export interface Immunisation {
  id: string;
  vaccine: Concept;
  procedure: Concept | null;
  given: boolean;
  status: string | null;
  date: string | null;
  dateRecorded: string | null;
  reasons: Concept[];
  notGivenReasons: Concept[];
  site: Concept | null;
  route: Concept | null;
  dose: string | null;
  lotNumber: string | null;
  expirationDate: string | null;
  targetDiseases: Concept[];
  doseSequence: number | null;
  seriesDoses: number | null;
  parentPresent: boolean | null;
  primarySource: boolean | null;
  notes: string[];
}

export type ListWithProvenance<T> = ClinicalList<T> & { provenance: Provenance };

// The lists as the graph's types (codegen mappers).
export type AllergyList = ClinicalList<Allergy>;
export type MedicationList = ListWithProvenance<Medication>;
export type ProblemList = ListWithProvenance<Problem>;
export type ImmunisationList = ListWithProvenance<Immunisation>;

/** The sections one structured-record call answered; a section is an Error when unreadable. */
export interface CareRecord {
  allergies?: Allergies | Error;
  medications?: MedicationList | Error;
  problems?: ProblemList | Error;
  immunisations?: ImmunisationList | Error;
}

/** The answer to one SectionRequest, as the loader hands it to a resolver. */
export type SectionResult =
  Allergies | ListWithProvenance<Medication> | ListWithProvenance<Problem> | ListWithProvenance<Immunisation>;

// ---------------------------------------------------------------------------------------------
// Appointments

export interface FreeSlot {
  /** Opaque to callers: encodes what booking needs (slotToken in appointments/mapping.ts). */
  id: string;
  start: string;
  end: string;
  serviceType: string | null;
  serviceCategory: string | null;
  deliveryChannel: string | null;
  practitionerName: string | null;
  practitionerRole: Concept | null;
  locationName: string | null;
  provenance: Provenance;
}

export interface Appointment {
  id: string;
  nhsNumber: string;
  status: string;
  start: string | null;
  end: string | null;
  created: string | null;
  description: string | null;
  comment: string | null;
  serviceType: string | null;
  deliveryChannel: string | null;
  cancellationReason: string | null;
  bookingOrganisationOdsCode: string | null;
  slotIds: string[];
  provenance: Provenance;
}

/** What a FreeSlot id stands for: the GP Connect slot and what a booking of it must name. */
export interface SlotReference {
  slotId: string;
  start: string;
  end: string;
  locationId: string;
}

export interface BookAppointmentRequest {
  nhsNumber: string;
  slot: SlotReference;
  reason: string;
  comment: string | null;
}

export interface CancelAppointmentRequest {
  nhsNumber: string;
  appointmentId: string;
  reason: string;
}
