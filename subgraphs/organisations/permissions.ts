// Who may read organisation data. ODS is a public directory, not personal data: every signed-in
// member of staff and every citizen may read it; a partner needs the `organisation.read` scope.
// Deny by default (platform/authorisation.ts); rules sit on the types as well as Query, because
// `_entities` (Patient.registeredGp from demographics) reaches Organisation without Query.
import { allow, callerRule, createPermissions, isPartnerWith } from '../../platform/authorisation.js';
import type { Principal } from '../../platform/principal.js';
import { PartnerScope } from '../../platform/rbac.js';

const isStaffOrCitizen = (principal: Principal) => principal.kind === 'staff' || principal.kind === 'citizen';

const readsOrganisations = callerRule(
  'readsOrganisations',
  (principal) => isStaffOrCitizen(principal) || isPartnerWith(PartnerScope.ORGANISATION_READ)(principal),
);

export const rules = {
  Query: {
    organisation: readsOrganisations,
    searchOrganisations: readsOrganisations,
  },
  Organisation: { '*': readsOrganisations },
  // Value types: reachable only through an Organisation field that was already allowed.
  OrganisationAddress: allow,
  OrganisationRole: allow,
  OrganisationRelationship: allow,
  OrganisationContactPoint: allow,
  Period: allow,
};

export const permissions = createPermissions(rules);
