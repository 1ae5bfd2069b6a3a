// Principal -> the canonical `Me`. Pure: identity has no upstream of its own; the gateway
// verified the caller's token and passed the Principal in its signed internal token.
import type { Principal, PrincipalRole } from '../../platform/principal.js';

export interface StaffRoleModel {
  roleId: string;
  roleCode: string;
  roleName: string | null;
  organisation: { odsCode: string };
  activityCodes: string[];
}

export interface MeModel {
  kind: 'CITIZEN' | 'STAFF' | 'PARTNER';
  subject: string;
  displayName: string | null;
  assuranceLevel: string | null;
  roles: StaffRoleModel[];
  selectedRole: StaffRoleModel | null;
  organisation: { odsCode: string } | null;
  activities: string[];
  scopes: string[];
  patient: { nhsNumber: string } | null;
}

export function toMe(principal: Principal): MeModel {
  const roles = principal.roles.map(toStaffRole);
  return {
    kind: principal.kind === 'citizen' ? 'CITIZEN' : principal.kind === 'staff' ? 'STAFF' : 'PARTNER',
    subject: principal.subject,
    displayName: principal.displayName,
    assuranceLevel: assuranceLevelOf(principal),
    roles,
    selectedRole: roles.find((role) => role.roleId === principal.roleId) ?? null,
    organisation: principal.orgCode ? { odsCode: principal.orgCode } : null,
    activities: principal.activities,
    scopes: principal.scopes,
    patient: principal.kind === 'citizen' && principal.nhsNumber ? { nhsNumber: principal.nhsNumber } : null,
  };
}

function toStaffRole(role: PrincipalRole): StaffRoleModel {
  return {
    roleId: role.roleId,
    roleCode: role.roleCode,
    roleName: role.roleName,
    organisation: { odsCode: role.orgCode },
    activityCodes: role.activityCodes,
  };
}

function assuranceLevelOf(principal: Principal): string | null {
  if (principal.kind === 'citizen') return principal.proofingLevel;
  if (principal.kind === 'staff' && principal.assuranceLevel !== null)
    return `AAL${principal.assuranceLevel}`;
  return null;
}
