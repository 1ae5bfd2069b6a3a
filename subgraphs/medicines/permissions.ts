// Who may read medicines. dm+d is reference data, not personal data: every signed-in member of
// staff and every citizen may read it, whatever their role or proofing level; a partner needs the
// `medicine.read` scope. Deny by default (platform/authorisation.ts); rules sit on the type as
// well as Query, because `_entities` (Medication.medicine from the care record) reaches Medicine
// without Query.
import { allow, callerRule, createPermissions, isPartnerWith } from '../../platform/authorisation.js';
import type { Principal } from '../../platform/principal.js';
import { PartnerScope } from '../../platform/rbac.js';

const isStaffOrCitizen = (principal: Principal) => principal.kind === 'staff' || principal.kind === 'citizen';

const readsMedicines = callerRule(
  'readsMedicines',
  (principal) => isStaffOrCitizen(principal) || isPartnerWith(PartnerScope.MEDICINE_READ)(principal),
);

export const rules = {
  Query: {
    medicine: readsMedicines,
    medicineByCoding: readsMedicines,
    searchMedicines: readsMedicines,
  },
  Medicine: { '*': readsMedicines },
  // Value types: reachable only through a Medicine field that was already allowed.
  MedicineIngredient: allow,
  MedicineStrength: allow,
  MedicineQuantity: allow,
};

export const permissions = createPermissions(rules);
