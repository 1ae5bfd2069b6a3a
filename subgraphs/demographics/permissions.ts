// Who may read what of PDS demographics. Deny by default (platform/authorisation.ts); rules sit
// on the Patient type as well as Query, because `_entities` reaches Patient without Query.patient.
// Each rule is one named decision, so the audit trail can say which one refused a field.
import type { Principal } from '../../platform/principal.js';
import {
  allow,
  createPermissions,
  isCitizenOwning,
  isPartnerWith,
  isStaffWithAny,
  recordRule,
} from '../../platform/authorisation.js';
import { DEFAULT_DEMOGRAPHICS_ACTIVITIES, PartnerScope } from '../../platform/rbac.js';
import type { PatientRecord } from './model.js';

const staffWithDemographics = isStaffWithAny(DEFAULT_DEMOGRAPHICS_ACTIVITIES);

// A citizen reads only their own record. P5 suffices for their own demographics; clinical data
// needs P9 (careRecord's rules). The number asked for, or any number the record superseded, counts.
const ownsRecord = (principal: Principal, patient: PatientRecord) =>
  isCitizenOwning(principal, [patient.nhsNumber, ...patient.supersededNhsNumbers], 'P5');

/** Patient fields: staff with a demographics activity, the patient themself, or a partner with `scope`. */
const patientField = (name: string, scope: string) =>
  recordRule<PatientRecord>(
    name,
    (principal, patient) =>
      staffWithDemographics(principal) || ownsRecord(principal, patient) || isPartnerWith(scope)(principal),
  );

const readPatientContact = patientField('readPatientContact', PartnerScope.CONTACT_READ);

export const rules = {
  Query: {
    patient: recordRule<unknown, { nhsNumber: string }>(
      'readPatient',
      (principal, _root, args) =>
        staffWithDemographics(principal) ||
        isCitizenOwning(principal, [args.nhsNumber], 'P5') ||
        isPartnerWith(PartnerScope.DEMOGRAPHICS_READ)(principal),
    ),
    searchPatients: recordRule(
      'searchPatients',
      (principal) =>
        staffWithDemographics(principal) || isPartnerWith(PartnerScope.DEMOGRAPHICS_SEARCH)(principal),
    ),
  },
  Mutation: {
    // PDS: healthcare workers may update; patients may update their own address (patient
    // access, patient-patch.yaml); application-restricted access may not update at all.
    updatePatientAddress: recordRule<unknown, { input: { nhsNumber: string } }>(
      'updatePatientAddress',
      (principal, _root, args) =>
        staffWithDemographics(principal) || isCitizenOwning(principal, [args.input.nhsNumber], 'P9'),
    ),
  },
  PatientMatch: { score: allow, patient: allow },
  Patient: {
    '*': patientField('readPatientDemographics', PartnerScope.DEMOGRAPHICS_READ),
    address: readPatientContact,
    telecom: readPatientContact,
    registeredGp: patientField('readPatientGp', PartnerScope.ORGANISATION_READ),
  },
  // Value types: reachable only through a Patient field that was already allowed.
  HumanName: allow,
  Address: allow,
  ContactPoint: allow,
  Period: allow,
  Death: allow,
  Organisation: allow,
};

export const permissions = createPermissions(rules);
