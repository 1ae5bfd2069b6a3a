// Only information-governance staff read the audit trail.
import { allow, callerRule, createPermissions, isStaffWithAny } from '../../platform/authorisation.js';
import { DEFAULT_AUDIT_ACTIVITIES } from '../../platform/rbac.js';

const informationGovernance = callerRule('informationGovernance', isStaffWithAny(DEFAULT_AUDIT_ACTIVITIES));

export const rules = {
  Query: { auditRecords: informationGovernance },
  AuditPage: allow,
  AuditRecord: allow,
  AuditPrincipal: allow,
};

export const permissions = createPermissions(rules);
