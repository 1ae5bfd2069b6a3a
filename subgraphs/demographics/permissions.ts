// Who may read what of PDS demographics. Deny by default (platform/authorisation.ts); rules sit
// on the Patient type as well as Query, because `_entities` reaches Patient without Query.patient.
import {
  allow,
  callerRule,
  createPermissions,
  isCitizenOwning,
  isPartnerWith,
  isStaffWithAny,
  or,
  recordRule,
} from '../../platform/authorisation.js';
import { DEFAULT_DEMOGRAPHICS_ACTIVITIES, PartnerScope } from '../../platform/rbac.js';
import type { PatientRecord } from './model.js';

const staffWithDemographics = callerRule(
  'staffWithDemographics',
  isStaffWithAny(DEFAULT_DEMOGRAPHICS_ACTIVITIES),
);
const partnerReadsDemographics = callerRule(
  'partnerReadsDemographics',
  isPartnerWith(PartnerScope.DEMOGRAPHICS_READ),
);
const partnerSearches = callerRule('partnerSearches', isPartnerWith(PartnerScope.DEMOGRAPHICS_SEARCH));
const partnerReadsContact = callerRule('partnerReadsContact', isPartnerWith(PartnerScope.CONTACT_READ));
const partnerReadsGp = callerRule('partnerReadsGp', isPartnerWith(PartnerScope.ORGANISATION_READ));

// A citizen reads only their own record. P5 suffices for their own demographics; clinical data
// needs P9 (careRecord's rules). The number asked for, or any number the record superseded, counts.
const citizenAsksForSelf = recordRule<unknown, { nhsNumber: string }>(
  'citizenAsksForSelf',
  (principal, _parent, args) => isCitizenOwning(principal, [args.nhsNumber], 'P5'),
);
const citizenOwnsRecord = recordRule<PatientRecord>('citizenOwnsRecord', (principal, patient) =>
  isCitizenOwning(principal, [patient.nhsNumber, ...patient.supersededNhsNumbers], 'P5'),
);

const readsPatient = or(staffWithDemographics, citizenOwnsRecord, partnerReadsDemographics);
const readsContact = or(staffWithDemographics, citizenOwnsRecord, partnerReadsContact);
const readsGp = or(staffWithDemographics, citizenOwnsRecord, partnerReadsGp);

export const rules = {
  Query: {
    patient: or(staffWithDemographics, citizenAsksForSelf, partnerReadsDemographics),
    searchPatients: or(staffWithDemographics, partnerSearches),
  },
  PatientMatch: { score: allow, patient: allow },
  Patient: {
    '*': readsPatient,
    address: readsContact,
    telecom: readsContact,
    registeredGp: readsGp,
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
