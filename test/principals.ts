// Principals as the gateway builds them from the local issuers' tokens (gateway/claims.ts), for
// in-process subgraph tests. End-to-end tests use real tokens instead (test/tokens.ts).
import type { Principal } from '../platform/principal.js';
import {
  DEFAULT_CLINICAL_ACTIVITIES,
  DEFAULT_DEMOGRAPHICS_ACTIVITIES,
  PartnerScope,
} from '../platform/rbac.js';

const base = {
  displayName: null,
  nhsNumber: null,
  proofingLevel: null,
  assuranceLevel: null,
  roles: [],
  roleId: null,
  orgCode: null,
  activities: [],
  scopes: [],
} satisfies Partial<Principal>;

export const citizen = (nhsNumber: string, proofingLevel: 'P0' | 'P5' | 'P9' = 'P9'): Principal => ({
  ...base,
  kind: 'citizen',
  issuer: 'nhs-login',
  subject: `citizen-${nhsNumber}`,
  nhsNumber,
  proofingLevel,
});

const staff = (roleCode: string, activities: readonly string[]): Principal => {
  const role = {
    roleId: '555254240100',
    roleCode,
    roleName: null,
    orgCode: 'A81001',
    activityCodes: [...activities],
  };
  return {
    ...base,
    kind: 'staff',
    issuer: 'cis2',
    subject: `staff-${roleCode}`,
    assuranceLevel: 3,
    roles: [role],
    roleId: role.roleId,
    orgCode: role.orgCode,
    activities: [...activities],
  };
};

export const clinician = (): Principal =>
  staff('S8000:G8000:R8000', [...DEFAULT_CLINICAL_ACTIVITIES, ...DEFAULT_DEMOGRAPHICS_ACTIVITIES]);
export const clerk = (): Principal => staff('S8000:G8000:R8001', [...DEFAULT_DEMOGRAPHICS_ACTIVITIES]);
/** Staff with a role whose activities open nothing in the graph. */
export const staffWithoutActivities = (): Principal => staff('S8000:G8000:R8003', ['B0570']);

export const partner = (scopes: string[] = [PartnerScope.DEMOGRAPHICS_READ]): Principal => ({
  ...base,
  kind: 'partner',
  issuer: 'partners',
  subject: 'acme',
  displayName: 'acme',
  scopes,
});
