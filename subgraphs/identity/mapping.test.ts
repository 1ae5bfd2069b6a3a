import { citizen, clinician, partner } from '../../test/principals.js';
import { toMe } from './mapping.js';

describe('toMe', () => {
  it('gives a citizen their proofing level and their own Patient', () => {
    expect(toMe(citizen('9000000009', 'P5'))).toMatchObject({
      kind: 'CITIZEN',
      assuranceLevel: 'P5',
      patient: { nhsNumber: '9000000009' },
      roles: [],
      selectedRole: null,
      organisation: null,
    });
  });

  it('gives staff their roles, the selected role, its organisation and activities', () => {
    const me = toMe(clinician());
    expect(me).toMatchObject({
      kind: 'STAFF',
      assuranceLevel: 'AAL3',
      organisation: { odsCode: 'A81001' },
      patient: null,
    });
    expect(me.selectedRole).toEqual(me.roles[0]);
    expect(me.activities).toEqual(me.selectedRole?.activityCodes);
  });

  it('gives a partner its scopes and nothing personal', () => {
    expect(toMe(partner(['organisation.read']))).toMatchObject({
      kind: 'PARTNER',
      subject: 'acme',
      scopes: ['organisation.read'],
      assuranceLevel: null,
      patient: null,
    });
  });
});
