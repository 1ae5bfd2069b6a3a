// Who may read e-RS referrals: clinical data. Staff need a clinical RBAC activity; a citizen reads
// only their own referrals, proofed to P9; a partner needs `patient:referrals.read`. Deny by
// default (platform/authorisation.ts); rules sit on the types as well as Query, because
// `_entities` reaches Patient and Referral without Query.
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
import { DEFAULT_CLINICAL_ACTIVITIES, PartnerScope } from '../../platform/rbac.js';
import type { ReferralPatient, ReferralRecord } from './model.js';

const clinicalStaff = isStaffWithAny(DEFAULT_CLINICAL_ACTIVITIES);
const referralsPartner = isPartnerWith(PartnerScope.REFERRALS_READ);

/** Clinical staff, a partner with the scope, or the patient themself at P9. */
const mayReadReferralsOf = (principal: Principal, nhsNumber: string) =>
  clinicalStaff(principal) || referralsPartner(principal) || isCitizenOwning(principal, [nhsNumber], 'P9');

const readReferral = recordRule<ReferralRecord>('readReferral', (principal, referral) =>
  mayReadReferralsOf(principal, referral.nhsNumber),
);

// Who may ask at all; whose referral it is is checked on every Referral field once it is read.
const mayAskForReferrals = callerRule(
  'askForReferrals',
  (principal) =>
    clinicalStaff(principal) ||
    referralsPartner(principal) ||
    (principal.kind === 'citizen' && principal.proofingLevel === 'P9'),
);

// Services are a directory, not personal data: anyone who may read referrals may read them.
const readReferralServices = mayAskForReferrals;

export const rules = {
  Query: {
    referral: mayAskForReferrals,
    searchReferralServices: readReferralServices,
  },
  Patient: {
    // The key field is the caller's own input (or demographics' answer); referrals are clinical.
    nhsNumber: allow,
    referrals: recordRule<ReferralPatient>('readPatientReferrals', (principal, patient) =>
      mayReadReferralsOf(principal, patient.nhsNumber),
    ),
  },
  Referral: { '*': readReferral },
  ReferralService: { '*': readReferralServices },
  // Value types: reachable only through a field that was already allowed.
  ReferralRequester: allow,
  ReferralAppointment: allow,
  Organisation: allow,
};

export const permissions = createPermissions(rules);
