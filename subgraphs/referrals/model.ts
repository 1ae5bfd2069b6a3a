// The canonical referrals a source returns: FHIR-free, shaped for the graph. STU3 ReferralRequest
// and R4 ServiceRequest both become a ReferralRecord.
import type { Concept, Provenance } from '../../platform/canonical.js';

/** A Patient entity reference (demographics owns Patient); referrals are resolved per number. */
export interface ReferralPatient {
  nhsNumber: string;
}

export interface ReferralServiceRecord {
  /** e-RS service id (`http://fhir.nhs.net/Id/ers-service`, or the R4 HealthcareService id). */
  id: string;
  name: string | null;
  active: boolean | null;
  types: Concept[];
  /** ODS code of where the service is based, when the payload names it; else read on demand. */
  odsCode: string | null;
}

export interface ReferralRequester {
  userId: string | null;
  odsCode: string | null;
}

export interface ReferralAppointment {
  status: string | null;
  start: string | null;
  end: string | null;
  created: string | null;
}

export interface ReferralRecord {
  ubrn: string;
  nhsNumber: string;
  status: Concept;
  priority: Concept | null;
  specialty: Concept | null;
  clinicType: Concept | null;
  category: Concept | null;
  requester: ReferralRequester | null;
  service: ReferralServiceRecord | null;
  shortlist: ReferralServiceRecord[];
  appointment: ReferralAppointment | null;
  authoredOn: string | null;
  clinicalInfoFirstSubmitted: string | null;
  pathwayStart: string | null;
  provenance: Provenance;
}

/** One worklist entry: which referral, for which patient. */
export interface WorklistEntry {
  ubrn: string;
  nhsNumber: string;
}
