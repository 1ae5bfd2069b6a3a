// The three issuers over real HTTP: discovery, JWKS, and that a minted token of every profile
// verifies against its issuer's published keys with the right issuer, audience and algorithm.
import { createRemoteJWKSet, decodeProtectedHeader, errors, jwtVerify, type JWTPayload } from 'jose';
import { startSandbox, type Sandbox } from '../server.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ALG = { 'nhs-login': 'RS512', cis2: 'RS256', partners: 'RS256' } as const;
type Name = keyof typeof ALG;
const NAMES = Object.keys(ALG) as Name[];

interface Minted {
  token: string;
  issuer: string;
  claims: JWTPayload;
}

describe('sandbox identity issuers', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox(0, { syntheticPatients: 10 });
  });
  afterAll(() => sandbox.close());

  const issuerUrl = (name: Name): string => `${sandbox.url}/identity/${name}`;
  const getJson = async (url: string): Promise<Record<string, unknown>> => {
    const res = await fetch(url);
    expect(res.status).toBe(200);
    return (await res.json()) as Record<string, unknown>;
  };
  const mint = async (body: Record<string, unknown>): Promise<Minted> => {
    const res = await fetch(`${sandbox.url}/_sandbox/identity/tokens`, {
      method: 'POST',
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(200);
    return (await res.json()) as Minted;
  };
  /** Verifies as a relying party would: keys from the jwks_uri the discovery document names. */
  const verify = async (token: string, name: Name, audience = 'nhs-graph'): Promise<JWTPayload> => {
    const discovery = await getJson(`${issuerUrl(name)}/.well-known/openid-configuration`);
    const jwks = createRemoteJWKSet(new URL(String(discovery['jwks_uri'])));
    const { payload, protectedHeader } = await jwtVerify(token, jwks, {
      issuer: issuerUrl(name),
      audience,
      algorithms: [ALG[name]],
    });
    expect(protectedHeader).toMatchObject({ alg: ALG[name], typ: 'JWT', kid: expect.any(String) });
    return payload;
  };

  it.each(NAMES)('%s publishes a discovery document naming its own endpoints', async (name) => {
    const doc = await getJson(`${issuerUrl(name)}/.well-known/openid-configuration`);
    expect(doc['issuer']).toBe(issuerUrl(name));
    expect(String(doc['jwks_uri'])).toMatch(new RegExp(`^${issuerUrl(name)}/`));
    expect(String(doc['token_endpoint'])).toMatch(new RegExp(`^${issuerUrl(name)}/`));
    if (name === 'partners') {
      expect(doc).toMatchObject({ grant_types_supported: ['client_credentials'] });
    } else {
      expect(doc['id_token_signing_alg_values_supported']).toEqual([ALG[name]]);
      expect(doc['userinfo_endpoint']).toBe(`${issuerUrl(name)}/userinfo`);
    }
  });

  it('follows the real providers on what discovery says', async () => {
    const nhsLogin = await getJson(`${issuerUrl('nhs-login')}/.well-known/openid-configuration`);
    expect(nhsLogin).toMatchObject({
      jwks_uri: `${issuerUrl('nhs-login')}/.well-known/jwks.json`,
      token_endpoint_auth_methods_supported: ['private_key_jwt'],
      response_types_supported: ['code'],
    });
    const cis2 = await getJson(`${issuerUrl('cis2')}/.well-known/openid-configuration`);
    expect(cis2['jwks_uri']).toBe(`${issuerUrl('cis2')}/connect/jwk_uri`);
    expect(cis2['scopes_supported']).toEqual(expect.arrayContaining(['nationalrbacaccess', 'selectedrole']));
  });

  it.each(NAMES)('%s serves one public signing key, with no private parts', async (name) => {
    const jwks = (await getJson(`${issuerUrl(name)}/.well-known/jwks.json`)) as {
      keys: Record<string, unknown>[];
    };
    expect(jwks.keys).toHaveLength(1);
    const [key] = jwks.keys;
    expect(key).toMatchObject({ kty: 'RSA', alg: ALG[name], use: 'sig', kid: expect.any(String) });
    for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(key).not.toHaveProperty(secret);
  });

  it('gives every issuer its own key', async () => {
    const kids = await Promise.all(
      NAMES.map(async (name) => {
        const jwks = (await getJson(`${issuerUrl(name)}/.well-known/jwks.json`)) as {
          keys: { kid: string }[];
        };
        return jwks.keys[0]?.kid;
      }),
    );
    expect(new Set(kids).size).toBe(3);
  });

  it('mints an NHS login citizen (RS512) with the documented claims, defaulting to 9000000009 at P9', async () => {
    const { token, issuer, claims } = await mint({ profile: 'citizen' });
    expect(issuer).toBe(issuerUrl('nhs-login'));
    expect(decodeProtectedHeader(token).alg).toBe('RS512');
    const payload = await verify(token, 'nhs-login');
    expect(payload).toEqual(claims);
    expect(payload).toMatchObject({
      nhs_number: '9000000009',
      identity_proofing_level: 'P9',
      vot: 'P9.Cp.Cd',
      family_name: 'Smith', // PDS sandbox Patient.json
      birthdate: '2010-10-22',
      vtm: expect.stringMatching(/\/trustmark\//),
      auth_time: payload.iat,
    });
    expect(payload.sub).toMatch(UUID);
    expect(payload.jti).toMatch(UUID);
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(3600);
  });

  it('mints citizens at P5 and P0, and from the NHS login sandpit accounts', async () => {
    const p5 = await verify(
      (await mint({ profile: 'citizen', nhsNumber: '9000000017', level: 'P5' })).token,
      'nhs-login',
    );
    expect(p5).toMatchObject({
      nhs_number: '9000000017',
      identity_proofing_level: 'P5',
      vot: 'P5.Cp.Cd',
      family_name: 'Smyth',
    });
    // The same person keeps the same subject whatever the level.
    const p9 = await mint({ profile: 'citizen', nhsNumber: '9000000017' });
    expect(p9.claims.sub).toBe(p5.sub);

    const p0 = await verify((await mint({ profile: 'citizen', level: 'P0' })).token, 'nhs-login');
    expect(p0['vot']).toBe('P0.Cp.Cd');
    for (const claim of ['nhs_number', 'family_name', 'birthdate', 'identity_proofing_level']) {
      expect(p0).not.toHaveProperty(claim); // scopes-and-claims.md: not available at P0
    }

    const sandpit = await mint({ profile: 'citizen', nhsNumber: '9686368973' });
    expect(sandpit.claims).toMatchObject({ family_name: 'MILLAR', birthdate: '1968-02-12' });
  });

  it('mints CIS2 staff (RS256) with RBAC roles in the token and a selected role among them', async () => {
    const { token, issuer } = await mint({ profile: 'clinician' });
    expect(issuer).toBe(issuerUrl('cis2'));
    const payload = await verify(token, 'cis2');
    expect(payload).toMatchObject({
      sub: '910000000101',
      nhsid_useruid: '910000000101',
      acr: 'AAL3_ANY',
      amr: ['N3_SMARTCARD'],
      id_assurance_level: 3,
      authentication_assurance_level: 3,
      name: 'OKAFOR Amara Dr',
      given_name: 'Amara',
      family_name: 'OKAFOR',
    });
    const roles = payload['nhsid_nrbac_roles'] as Record<string, unknown>[];
    const selected = roles.find((role) => role['person_roleid'] === payload['selected_roleid']);
    expect(selected).toMatchObject({
      org_code: 'Y12345',
      role_code: 'S8000:G8000:R8000',
      role_name: '"Clinical":"Clinical Provision":"Clinical Practitioner Access Role"',
      activity_codes: expect.arrayContaining(['B0360', 'B0380', 'B0825']),
      person_orgid: expect.stringMatching(/^\d{12}$/),
    });
    for (const role of roles) {
      expect((role['activities'] as string[]).length).toBe((role['activity_codes'] as string[]).length);
    }
  });

  it('mints a clerk with demographics activities only, an IG officer, and honours orgCode', async () => {
    const clerk = await verify((await mint({ profile: 'clerk', orgCode: 'A81001' })).token, 'cis2');
    const [clerkRole] = clerk['nhsid_nrbac_roles'] as Record<string, unknown>[];
    expect(clerkRole).toMatchObject({
      org_code: 'A81001',
      role_code: 'S8002:G8003:R8010',
      activity_codes: ['B0560', 'B0825'],
    });
    expect(clerk['selected_roleid']).toBe(clerkRole?.['person_roleid']);

    const ig = await verify((await mint({ profile: 'ig-officer' })).token, 'cis2');
    expect(ig['nhsid_nrbac_roles']).toEqual([expect.objectContaining({ role_code: 'S8002:G8003:R0001' })]);
  });

  it('mints partner tokens with the client and its scopes', async () => {
    const acme = await verify((await mint({ profile: 'partner' })).token, 'partners');
    expect(acme).toMatchObject({
      sub: 'acme',
      client_id: 'acme',
      scope: 'patient:demographics.read organisation.read',
    });
    const narrow = await mint({ profile: 'partner', clientId: 'acme', scopes: ['organisation.read'] });
    expect(narrow.claims['scope']).toBe('organisation.read');
  });

  it('honours audience and lifetime, and a token from one issuer never verifies against another', async () => {
    const { token, claims } = await mint({
      profile: 'clinician',
      audience: 'other-api',
      expiresInSeconds: 60,
    });
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(60);
    await expect(verify(token, 'cis2')).rejects.toThrow(errors.JWTClaimValidationFailed);
    await expect(verify(token, 'cis2', 'other-api')).resolves.toMatchObject({ aud: 'other-api' });

    const expired = await mint({ profile: 'citizen', expiresInSeconds: -60 });
    await expect(verify(expired.token, 'nhs-login')).rejects.toThrow(errors.JWTExpired);

    const partner = await mint({ profile: 'partner' });
    const cis2Keys = createRemoteJWKSet(new URL(`${issuerUrl('cis2')}/connect/jwk_uri`));
    await expect(jwtVerify(partner.token, cis2Keys)).rejects.toThrow(errors.JWKSNoMatchingKey);
  });
});
