// The identity endpoints' contracts: the partners' client-credentials token endpoint (RFC 6749
// errors), the minting endpoint's validation, userinfo, and that identity traffic stays out of
// the upstream request log.
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { startSandbox, type Sandbox } from '../server.js';
import { parseSandpitDate } from './citizens.js';

const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };

describe('sandbox identity endpoints', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox(0, { syntheticPatients: 10 });
  });
  afterAll(() => sandbox.close());

  const partners = (): string => `${sandbox.url}/identity/partners`;
  const token = (body: string, headers: Record<string, string> = FORM): Promise<Response> =>
    fetch(`${partners()}/token`, { method: 'POST', headers, body });
  const mint = (body: unknown): Promise<Response> =>
    fetch(`${sandbox.url}/_sandbox/identity/tokens`, {
      method: 'POST',
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  describe('partners token endpoint (client credentials)', () => {
    it('issues a verifiable bearer token to a known client', async () => {
      const res = await token(
        'grant_type=client_credentials&client_id=acme&client_secret=acme-sandbox-secret',
      );
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      const body = (await res.json()) as Record<string, unknown>;
      expect(body).toMatchObject({
        token_type: 'Bearer',
        expires_in: 3600,
        scope: 'patient:demographics.read organisation.read',
      });
      const jwks = createRemoteJWKSet(new URL(`${partners()}/.well-known/jwks.json`));
      const { payload } = await jwtVerify(String(body['access_token']), jwks, {
        issuer: partners(),
        audience: 'nhs-graph',
        algorithms: ['RS256'],
      });
      expect(payload).toMatchObject({ sub: 'acme', client_id: 'acme', scope: body['scope'] });
    });

    it('accepts HTTP Basic client authentication, a narrower scope and an audience', async () => {
      const basic = `Basic ${Buffer.from('acme:acme-sandbox-secret').toString('base64')}`;
      const res = await token('grant_type=client_credentials&scope=organisation.read&audience=other-api', {
        ...FORM,
        Authorization: basic,
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { access_token: string; scope: string };
      expect(body.scope).toBe('organisation.read');
      const [, payload = ''] = body.access_token.split('.');
      expect(JSON.parse(Buffer.from(payload, 'base64url').toString())).toMatchObject({ aud: 'other-api' });
    });

    it.each([
      ['a bad secret', 'client_id=acme&client_secret=wrong'],
      ['an unknown client', 'client_id=mallory&client_secret=acme-sandbox-secret'],
      ['no secret', 'client_id=acme'],
    ])('answers 401 invalid_client for %s', async (_case, credentials) => {
      const res = await token(`grant_type=client_credentials&${credentials}`);
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ error: 'invalid_client' });
    });

    it('answers 401 with a Basic challenge when Basic credentials are wrong', async () => {
      const res = await token('grant_type=client_credentials', {
        ...FORM,
        Authorization: `Basic ${Buffer.from('acme:nope').toString('base64')}`,
      });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Basic /);
    });

    it.each([
      [
        'a scope the client may not have',
        'grant_type=client_credentials&scope=patient:clinical.read',
        'invalid_scope',
      ],
      ['another grant type', 'grant_type=password', 'unsupported_grant_type'],
      ['no grant type', '', 'invalid_request'],
      ['a repeated parameter', 'grant_type=client_credentials&scope=a&scope=b', 'invalid_request'],
    ])('answers 400 for %s', async (_case, params, error) => {
      const auth = 'client_id=orgfinder&client_secret=orgfinder-sandbox-secret';
      const res = await token(params === '' ? auth : `${params}&${auth}`);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error });
    });

    it('wants a form body and POST', async () => {
      const json = await token('{"grant_type":"client_credentials"}', { 'Content-Type': 'application/json' });
      expect(json.status).toBe(400);
      expect(await json.json()).toMatchObject({ error: 'invalid_request' });
      const get = await fetch(`${partners()}/token`);
      expect(get.status).toBe(405);
      expect(get.headers.get('allow')).toBe('POST');
    });
  });

  describe('minting endpoint', () => {
    it.each([
      ['not JSON', 'profile=citizen', /body must be JSON/],
      ['no profile', {}, /profile/],
      ['an unknown profile', { profile: 'admin' }, /profile/],
      ['an unknown option', { profile: 'citizen', nhs_number: '9000000009' }, /nhs_number/],
      ['a malformed NHS number', { profile: 'citizen', nhsNumber: '900000000' }, /10 digits/],
      ['a bad level', { profile: 'citizen', level: 'P3' }, /level/],
      ['an option for another profile', { profile: 'clinician', nhsNumber: '9000000009' }, /citizen only/],
      ['an NHS number at P0', { profile: 'citizen', level: 'P0', nhsNumber: '9000000009' }, /P0/],
      ['an unknown partner client', { profile: 'partner', clientId: 'mallory' }, /unknown partner client/],
      [
        'a scope the client may not have',
        { profile: 'partner', clientId: 'orgfinder', scopes: ['patient:demographics.read'] },
        /may not have/,
      ],
      ['a lower-case ODS code', { profile: 'clerk', orgCode: 'y12345' }, /ODS code/],
      // The gateway refuses a 2-character orgCode (401), so the sandbox must not mint one.
      ['a 2-character ODS code', { profile: 'clerk', orgCode: 'X2' }, /ODS code/],
      ['a fractional lifetime', { profile: 'citizen', expiresInSeconds: 1.5 }, /expiresInSeconds/],
    ])('answers 400 for %s', async (_case, body, message) => {
      const res = await mint(body);
      expect(res.status).toBe(400);
      const { error } = (await res.json()) as { error: string };
      expect(error).toMatch(message);
    });

    it('only takes POST', async () => {
      const res = await fetch(`${sandbox.url}/_sandbox/identity/tokens`);
      expect(res.status).toBe(405);
    });
  });

  describe('userinfo', () => {
    it('answers CIS2 userinfo with the RBAC roles for a token it issued', async () => {
      const { token: bearer } = (await (await mint({ profile: 'clerk' })).json()) as { token: string };
      const res = await fetch(`${sandbox.url}/identity/cis2/userinfo`, {
        headers: { Authorization: `Bearer ${bearer}` },
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as Record<string, unknown>;
      expect(body).toMatchObject({ sub: '910000000201', nhsid_useruid: '910000000201' });
      expect(body['nhsid_nrbac_roles']).toEqual([
        expect.objectContaining({ role_code: 'S8002:G8003:R8010' }),
      ]);
      expect(body).not.toHaveProperty('exp');
    });

    it("refuses another issuer's token with an RFC 6750 challenge", async () => {
      const { token: bearer } = (await (await mint({ profile: 'clinician' })).json()) as { token: string };
      const res = await fetch(`${sandbox.url}/identity/nhs-login/userinfo`, {
        headers: { Authorization: `Bearer ${bearer}` },
      });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    });
  });

  it('points the (unsimulated) authorisation-code endpoints at the minting endpoint', async () => {
    const res = await fetch(`${sandbox.url}/identity/nhs-login/authorize?response_type=code`);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      error_description: expect.stringMatching(/_sandbox\/identity\/tokens/),
    });
    expect((await fetch(`${sandbox.url}/identity/nope/.well-known/jwks.json`)).status).toBe(404);
  });

  it('keeps identity traffic out of the upstream request log', async () => {
    await fetch(`${sandbox.url}/_sandbox/reset`, { method: 'POST' });
    await mint({ profile: 'citizen' });
    await fetch(`${sandbox.url}/identity/cis2/.well-known/openid-configuration`);
    await token('grant_type=client_credentials&client_id=acme&client_secret=acme-sandbox-secret');
    const snapshot = (await (await fetch(`${sandbox.url}/_sandbox/requests`)).json()) as { log: unknown[] };
    expect(snapshot.log).toEqual([]);
  });

  it('reads both date forms of the NHS login sandpit sheet', () => {
    expect(parseSandpitDate('27/11/1990')).toBe('1990-11-27');
    expect(parseSandpitDate('10032')).toBe('1927-06-19'); // Excel serial day (1899-12-30 epoch)
    expect(() => parseSandpitDate('1990-11-27')).toThrow(/unrecognised/);
  });
});
