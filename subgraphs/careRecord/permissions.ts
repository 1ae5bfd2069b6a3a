// Who may read a GP record and book GP appointments. The record is clinical data: staff need a
// clinical RBAC activity (platform/rbac.ts DEFAULT_CLINICAL_ACTIVITIES), a citizen reads only
// their own record proofed to P9, a partner needs `patient:care-record.read`. Appointments are
// also patient administration: staff with a clinical activity or B0560 "Perform Patient
// Administration" (the CIS2 activity a practice receptionist books with; its source is cited in
// sandbox/identity/profiles.ts) may see and book them, citizens their own at P9, partners with
// `patient:appointments.read` / `.write`. Deny by default (platform/authorisation.ts); rules sit on
// types and fields as well as Query and Mutation, because `_entities` reaches Patient without Query.
import type { Principal } from '../../platform/principal.js';
import {
  allow,
  callerRule,
  createPermissions,
  isCitizenOwning,
  isPartnerWith,
  isStaffWithAny,
  recordRule,
} from '../../platform/authorisation.js';
import {
  DEFAULT_APPOINTMENT_ACTIVITIES,
  DEFAULT_CLINICAL_ACTIVITIES,
  PartnerScope,
} from '../../platform/rbac.js';
import type { Appointment, CareRecordPatient } from './model.js';

const clinicalStaff = isStaffWithAny(DEFAULT_CLINICAL_ACTIVITIES);
const bookingStaff = isStaffWithAny(DEFAULT_APPOINTMENT_ACTIVITIES);
const careRecordPartner = isPartnerWith(PartnerScope.CARE_RECORD_READ);
const appointmentsReader = isPartnerWith(PartnerScope.APPOINTMENTS_READ);
const appointmentsWriter = isPartnerWith(PartnerScope.APPOINTMENTS_WRITE);
const citizenAtP9 = (principal: Principal) =>
  principal.kind === 'citizen' && principal.proofingLevel === 'P9';

const mayReadRecordOf = (principal: Principal, nhsNumber: string) =>
  clinicalStaff(principal) || careRecordPartner(principal) || isCitizenOwning(principal, [nhsNumber], 'P9');

const mayReadAppointmentsOf = (principal: Principal, nhsNumber: string) =>
  bookingStaff(principal) || appointmentsReader(principal) || isCitizenOwning(principal, [nhsNumber], 'P9');

const mayBookFor = (principal: Principal, nhsNumber: string) =>
  bookingStaff(principal) || appointmentsWriter(principal) || isCitizenOwning(principal, [nhsNumber], 'P9');

const readRecord = recordRule<CareRecordPatient>('readCareRecord', (principal, patient) =>
  mayReadRecordOf(principal, patient.nhsNumber),
);

interface WriteArgs {
  input: { nhsNumber: string };
}
const writeAppointment = recordRule<unknown, WriteArgs>('writeAppointment', (principal, _parent, args) =>
  mayBookFor(principal, args.input.nhsNumber),
);

export const rules = {
  Query: {
    // The practice's availability, not personal data: anyone who may book may look.
    freeSlots: callerRule(
      'searchFreeSlots',
      (principal) => bookingStaff(principal) || appointmentsReader(principal) || citizenAtP9(principal),
    ),
  },
  Mutation: {
    bookAppointment: writeAppointment,
    cancelAppointment: writeAppointment,
  },
  Patient: {
    // The key field is the caller's own input (or demographics' answer).
    nhsNumber: allow,
    allergies: readRecord,
    medications: readRecord,
    problems: readRecord,
    immunisations: readRecord,
    appointments: recordRule<CareRecordPatient>('readPatientAppointments', (principal, patient) =>
      mayReadAppointmentsOf(principal, patient.nhsNumber),
    ),
  },
  // Checked on every field, whoever's appointment a mutation or list returned.
  Appointment: {
    '*': recordRule<Appointment>('readAppointment', (principal, appointment) =>
      mayReadAppointmentsOf(principal, appointment.nhsNumber),
    ),
  },
  // Value types: reachable only through a field whose own rule already allowed it.
  Allergies: allow,
  AllergyList: allow,
  Allergy: allow,
  AllergyReaction: allow,
  MedicationList: allow,
  Medication: allow,
  MedicationIssue: allow,
  Medicine: allow,
  ProblemList: allow,
  Problem: allow,
  ImmunisationList: allow,
  Immunisation: allow,
  EmptyReason: allow,
  ListWarning: allow,
  FreeSlot: allow,
};

export const permissions = createPermissions(rules);
