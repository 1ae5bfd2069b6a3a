// Who the sandbox issuers can mint tokens for: the developer/test profiles, the CIS2 RBAC roles
// and activities behind them, and the partner clients. Kept in one file so the whole cast reads
// at a glance. Every RBAC code below is one we found published next to its name (source given);
// the national RBAC baseline itself is not published in a form we could copy (APIS.md "Gaps").

/** RBAC activities (`B` codes) the profiles carry, each with where the code–name pair appears. */
export const ACTIVITIES = {
  // ISA = NHSDigital/identity-service-api proxies/live/apiproxy/policies/
  //       AssignMessage.GenerateUserinfoResponseSimulatedAuth.xml (the simulated CIS2 userinfo).
  // MAVIS = nhsuk/manage-vaccinations-in-schools (a live CIS2 relying party).
  B0360: 'View Detailed Health Records', // MAVIS app/models/cis2_info.rb (VIEW_DETAILED_HEALTH_RECORDS…)
  B0380: 'Perform Detailed Health Record', // MAVIS spec/lib/omniauth/strategies/nhsuk_cis2_spec.rb
  B0401: 'View Patient Medication', // ISA
  B0420: 'Independent Prescribing', // ISA (on an R8000 role); MAVIS cis2_info.rb
  B0560: 'Perform Patient Administration', // MAVIS nhsuk_cis2_spec.rb
  // ISA; digital.nhs.uk "National RBAC for developers": B0825 includes View Patient Demographics.
  B0825: 'Amend Patient Demographics',
  B0015: 'Receive Legal Override and Emergency View Alerts', // MAVIS nhsuk_cis2_spec.rb (Privacy Officer)
  B0016: 'Receive Self Claimed LR Alerts', // MAVIS nhsuk_cis2_spec.rb (Privacy Officer)
  B0018: 'Receive Sealing Alerts', // MAVIS nhsuk_cis2_spec.rb (Privacy Officer)
} as const;
export type ActivityCode = keyof typeof ACTIVITIES;

/**
 * A CIS2 role as `nhsid_nrbac_roles[]` carries it. `role_code` is `S<staff group>:G<sub group>:
 * R<job role>`; the R names are UK Core CodeSystem-UKCore-SDSJobRoleName's.
 */
export interface RoleTemplate {
  roleCode: string;
  /** Quoted `"staff group":"sub group":"job role"`, exactly as CIS2 writes `role_name`. */
  roleName: string;
  activities: readonly ActivityCode[];
  personRoleId: string;
  /** The organisation of a role other than the selected one (the selected one takes `orgCode`). */
  orgCode?: string;
}

export interface StaffProfile {
  kind: 'staff';
  /** `nhsid_useruid`: 12 digits, like ISA's 910000000001; CIS2 also sends it as `sub`. */
  uid: string;
  personOrgId: string;
  title: string;
  givenName: string;
  familyName: string;
  /** The first role is the selected one (`selected_roleid`); any others the user also holds. */
  roles: readonly [RoleTemplate, ...RoleTemplate[]];
}

/** Clinical Practitioner Access Role as ISA publishes it (S8000:G8000:R8000). */
const CLINICAL_PRACTITIONER = {
  roleCode: 'S8000:G8000:R8000',
  roleName: '"Clinical":"Clinical Provision":"Clinical Practitioner Access Role"',
} as const;
/**
 * S8002:G8003 is "Admin and Clerical":"Admin and Clerical" in MAVIS nhsuk_cis2_spec.rb (on R0001).
 * R8010 "Clerical Access Role" and R0001 "Privacy Officer" are in UK Core SDSJobRoleName.
 */
const ADMIN_AND_CLERICAL = { roleCode: 'S8002:G8003', roleName: '"Admin and Clerical":"Admin and Clerical"' };

/**
 * Default organisation for staff: Y12345 is the GP practice of the PDS sandbox patients 9000000009
 * and 9000000017 (PDS sandbox/mocks/Patient.json), so a default clinician works where they are
 * registered. Override per token with `orgCode`.
 */
export const DEFAULT_STAFF_ORG = 'Y12345';

export const STAFF_PROFILES = {
  /** A GP: clinical record access, demographics, prescribing. */
  clinician: {
    kind: 'staff',
    uid: '910000000101',
    personOrgId: '910000000102',
    title: 'Dr',
    givenName: 'Amara',
    familyName: 'OKAFOR',
    roles: [
      {
        ...CLINICAL_PRACTITIONER,
        activities: ['B0360', 'B0380', 'B0401', 'B0420', 'B0560', 'B0825'],
        personRoleId: '910000000103',
      },
      // A second, unselected role elsewhere (RBA is ISA's org): only the selected role may count.
      { ...CLINICAL_PRACTITIONER, activities: ['B0401'], personRoleId: '910000000104', orgCode: 'RBA' },
    ],
  },
  /** A practice clerk/receptionist: demographics and patient administration, nothing clinical. */
  clerk: {
    kind: 'staff',
    uid: '910000000201',
    personOrgId: '910000000202',
    title: 'Mr',
    givenName: 'Tomasz',
    familyName: 'NOWAK',
    roles: [
      {
        roleCode: `${ADMIN_AND_CLERICAL.roleCode}:R8010`,
        roleName: `${ADMIN_AND_CLERICAL.roleName}:"Clerical Access Role"`,
        activities: ['B0560', 'B0825'],
        personRoleId: '910000000203',
      },
    ],
  },
  /** An information-governance (Privacy Officer) user, for reading the audit trail. */
  'ig-officer': {
    kind: 'staff',
    uid: '910000000301',
    personOrgId: '910000000302',
    title: 'Ms',
    givenName: 'Priya',
    familyName: 'SHARMA',
    roles: [
      {
        roleCode: `${ADMIN_AND_CLERICAL.roleCode}:R0001`,
        roleName: `${ADMIN_AND_CLERICAL.roleName}:"Privacy Officer"`,
        activities: ['B0015', 'B0016', 'B0018'],
        personRoleId: '910000000303',
      },
    ],
  },
} as const satisfies Record<string, StaffProfile>;
export type StaffProfileName = keyof typeof STAFF_PROFILES;

/** NHS login: default citizen (the PDS sandbox's main patient) and the vectors of trust it uses. */
export const CITIZEN_DEFAULTS = { nhsNumber: '9000000009', level: 'P9' } as const;
export const PROOFING_LEVELS = ['P0', 'P5', 'P9'] as const;
export type ProofingLevel = (typeof PROOFING_LEVELS)[number];

/** Partner clients of the client-credentials issuer. Secrets are sandbox-only and public on purpose. */
export interface PartnerClient {
  secret: string;
  scopes: readonly string[];
}
export const PARTNER_CLIENTS: Readonly<Record<string, PartnerClient>> = {
  acme: { secret: 'acme-sandbox-secret', scopes: ['patient:demographics.read', 'organisation.read'] },
  /** Organisation data only: the partner that must never see a patient field. */
  orgfinder: { secret: 'orgfinder-sandbox-secret', scopes: ['organisation.read'] },
};
export const DEFAULT_PARTNER_CLIENT = 'acme';

export const PROFILE_NAMES = ['citizen', 'clinician', 'clerk', 'partner', 'ig-officer'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

/** Tokens are for nhs-graph unless a request names another audience. */
export const DEFAULT_AUDIENCE = 'nhs-graph';
/** One hour, like CIS2's `expires_in: 3599` in MAVIS nhsuk_cis2_spec.rb. */
export const DEFAULT_EXPIRES_IN_SECONDS = 3600;
