// Which national RBAC activities (CIS2 `activity_codes`) open which parts of the graph.
// The national RBAC baseline is not published in a form we can copy (APIS.md, CIS2 "Not found"),
// so the sets are configuration: these defaults use codes from the published CIS2 userinfo
// example (identity-service-api AssignMessage.GenerateUserinfoResponseSimulatedAuth.xml).

/** B0825 "Amend Patient Demographics": staff who may amend demographics may read them. */
export const DEFAULT_DEMOGRAPHICS_ACTIVITIES = ['B0825'] as const;

/**
 * Clinical record access: B0360 "View Detailed Health Records", B0380 "Perform Detailed Health
 * Record", B0401 "View Patient Medication", B0420 "Independent Prescribing" (sources for each
 * code are in sandbox/identity/profiles.ts).
 */
export const DEFAULT_CLINICAL_ACTIVITIES = ['B0360', 'B0380', 'B0401', 'B0420'] as const;

/**
 * Seeing and booking GP appointments: a clinical activity, or B0560 "Perform Patient
 * Administration" (the activity a practice receptionist books with; source in
 * sandbox/identity/profiles.ts).
 */
export const DEFAULT_APPOINTMENT_ACTIVITIES = [...DEFAULT_CLINICAL_ACTIVITIES, 'B0560'] as const;

/**
 * Reading the audit trail: the CIS2 Privacy Officer activities B0015 "Receive Legal Override and
 * Emergency View Alerts", B0016 "Receive Self Claimed LR Alerts", B0018 "Receive Sealing Alerts".
 */
export const DEFAULT_AUDIT_ACTIVITIES = ['B0015', 'B0016', 'B0018'] as const;

/** Partner OAuth scopes, one per slice of the graph a partner may be granted. */
export const PartnerScope = {
  DEMOGRAPHICS_READ: 'patient:demographics.read',
  DEMOGRAPHICS_SEARCH: 'patient:demographics.search',
  CONTACT_READ: 'patient:contact.read',
  ORGANISATION_READ: 'organisation.read',
  /** e-RS referrals of a patient (clinical data). */
  REFERRALS_READ: 'patient:referrals.read',
  /** GP Connect structured record of a patient: allergies, medications, problems, immunisations. */
  CARE_RECORD_READ: 'patient:care-record.read',
  /** GP Connect appointments of a patient and free slots. */
  APPOINTMENTS_READ: 'patient:appointments.read',
  /** Booking and cancelling GP Connect appointments. */
  APPOINTMENTS_WRITE: 'patient:appointments.write',
  /** dm+d medicines (reference data). */
  MEDICINE_READ: 'medicine.read',
} as const;
