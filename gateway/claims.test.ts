// Claims that reach upstreams (a CIS2 role's ODS code and role id, a citizen's NHS number) must
// have their documented shape: a token carrying anything else is refused before a Principal
// exists, and the subgraphs' Principal schema refuses it again (platform/principal.ts).
import type { IssuerConfig } from './config.js';
import { PrincipalSchema } from '../platform/principal.js';
import { ClaimsError, principalFromClaims } from './claims.js';

const cis2: IssuerConfig = {
  name: 'cis2',
  kind: 'staff',
  issuer: 'https://cis2.example',
  jwksUrl: 'https://cis2.example/jwks',
  audience: 'nhs-graph',
  algorithms: ['RS256'],
};
const nhsLogin: IssuerConfig = { ...cis2, name: 'nhs-login', kind: 'citizen' };

const staffClaims = (role: Record<string, unknown>) => ({
  sub: 'staff-1',
  authentication_assurance_level: 3,
  nhsid_nrbac_roles: [
    { person_roleid: '555254240100', org_code: 'A81001', role_code: 'S8000:G8000:R8000', ...role },
  ],
  selected_roleid: '555254240100',
});

describe('principalFromClaims refuses claims that would reach an upstream malformed', () => {
  it('accepts a well-formed CIS2 role', () => {
    const principal = principalFromClaims(cis2, staffClaims({}), 3);
    expect(principal.orgCode).toBe('A81001');
    expect(PrincipalSchema.safeParse(principal).success).toBe(true);
  });

  it.each([
    ['an ODS code ".."', { org_code: '..' }],
    ['an ODS code with CR/LF', { org_code: 'A81001\r\nX-Injected: 1' }],
    ['an ODS code with a path', { org_code: 'A81001/../x' }],
    ['a role id with CR/LF', { person_roleid: '555254240100\r\n' }],
  ])('refuses a role with %s', (_what, role) => {
    expect(() => principalFromClaims(cis2, staffClaims(role), 3)).toThrow(ClaimsError);
  });

  it('refuses a citizen whose NHS number is not 10 digits', () => {
    const claims = { sub: 'c-1', identity_proofing_level: 'P9', nhs_number: '../Patient/9000000017' };
    expect(() => principalFromClaims(nhsLogin, claims, 3)).toThrow(ClaimsError);
  });

  it('a Principal carrying such a claim fails the schema subgraphs read it with', () => {
    const principal = principalFromClaims(cis2, staffClaims({}), 3);
    for (const bad of [{ orgCode: '..' }, { roleId: '1\r\n' }, { nhsNumber: '9000000009?x=1' }])
      expect(PrincipalSchema.safeParse({ ...principal, ...bad }).success).toBe(false);
  });
});
