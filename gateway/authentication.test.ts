// The authenticator against a real JWKS served over HTTP from this test, with tokens signed here:
// each kind of refusal has its own reason, and a token whose claims are refused stays refused.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWTPayload } from 'jose';
import { loadGatewayConfig } from './config.js';
import { createLogger } from '../platform/logger.js';
import { createAuthenticator, type Authenticate } from './authentication.js';
import { bearerChallenge, TokenRefusal } from './token-refusals.js';

let server: Server;
let issuerUrl: string;
let sign: (claims: JWTPayload) => Promise<string>;
let authenticate: Authenticate;

beforeAll(async () => {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
  server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuerUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/cis2`;
  sign = (claims) =>
    new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'test-key' }).sign(privateKey);
  const config = loadGatewayConfig({
    NODE_ENV: 'test',
    CIS2_ISSUER: issuerUrl,
    CIS2_MIN_ASSURANCE_LEVEL: '3',
  });
  authenticate = createAuthenticator(config, createLogger('gateway', 'silent'));
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const now = () => Math.floor(Date.now() / 1000);
const staffClaims = (overrides: JWTPayload = {}): JWTPayload => ({
  iss: issuerUrl,
  aud: 'nhs-graph',
  sub: '555000000001',
  exp: now() + 600,
  iat: now(),
  authentication_assurance_level: 3,
  id_assurance_level: 3,
  selected_roleid: '555000000002',
  nhsid_nrbac_roles: [
    {
      person_roleid: '555000000002',
      role_code: 'S0010:G0020:R0260',
      org_code: 'X26',
      activity_codes: ['B0264'],
    },
  ],
  ...overrides,
});
const refusal = async (authorization: string | null) => {
  const result = await authenticate(authorization);
  return 'refused' in result ? result.refused : 'accepted';
};

describe('authenticator refusals say why', () => {
  it('accepts a well-formed staff token', async () => {
    expect(await refusal(`Bearer ${await sign(staffClaims())}`)).toBe('accepted');
  });

  it.each<[string, () => Promise<string | null>, TokenRefusal]>([
    ['no header', () => Promise.resolve(null), TokenRefusal.TOKEN_MISSING],
    ['not a bearer JWT', () => Promise.resolve('Bearer not-a-jwt'), TokenRefusal.TOKEN_MALFORMED],
    ['undecodable JWT', () => Promise.resolve('Bearer abc.def.ghi'), TokenRefusal.TOKEN_MALFORMED],
    [
      'expired',
      async () => `Bearer ${await sign(staffClaims({ exp: now() - 600 }))}`,
      TokenRefusal.TOKEN_EXPIRED,
    ],
    [
      'another audience',
      async () => `Bearer ${await sign(staffClaims({ aud: 'another-service' }))}`,
      TokenRefusal.TOKEN_WRONG_AUDIENCE,
    ],
    [
      'an untrusted issuer',
      async () => `Bearer ${await sign(staffClaims({ iss: 'https://login.example.net' }))}`,
      TokenRefusal.TOKEN_UNTRUSTED_ISSUER,
    ],
    [
      'a bad signature',
      async () => {
        const [header, payload] = (await sign(staffClaims())).split('.');
        const other = (await sign(staffClaims({ sub: 'other' }))).split('.')[2];
        return `Bearer ${header}.${payload}.${other}`;
      },
      TokenRefusal.TOKEN_INVALID,
    ],
    [
      'claims that make no Principal',
      async () => `Bearer ${await sign(staffClaims({ nhsid_nrbac_roles: 'none' }))}`,
      TokenRefusal.TOKEN_CLAIMS_REFUSED,
    ],
    [
      'assurance below the minimum',
      async () => `Bearer ${await sign(staffClaims({ authentication_assurance_level: 1 }))}`,
      TokenRefusal.INSUFFICIENT_ASSURANCE,
    ],
  ])('%s', async (_case, header, reason) => {
    expect(await refusal(await header())).toBe(reason);
  });

  it('refuses a token whose claims are refused the same way when it is sent again (not cached)', async () => {
    const token = `Bearer ${await sign(staffClaims({ authentication_assurance_level: 1 }))}`;
    expect(await refusal(token)).toBe(TokenRefusal.INSUFFICIENT_ASSURANCE);
    expect(await refusal(token)).toBe(TokenRefusal.INSUFFICIENT_ASSURANCE);
    const incomplete = `Bearer ${await sign(staffClaims({ nhsid_nrbac_roles: 'none' }))}`;
    expect(await refusal(incomplete)).toBe(TokenRefusal.TOKEN_CLAIMS_REFUSED);
    await expect(authenticate(incomplete)).resolves.toEqual({ refused: TokenRefusal.TOKEN_CLAIMS_REFUSED });
  });
});

describe('WWW-Authenticate challenges (RFC 6750 §3)', () => {
  it('has no error attribute when no token was sent', () => {
    expect(bearerChallenge(TokenRefusal.TOKEN_MISSING)).toBe('Bearer realm="nhs-graph"');
  });
  it.each(['TOKEN_MALFORMED', 'TOKEN_EXPIRED', 'TOKEN_INVALID', 'TOKEN_WRONG_AUDIENCE'] as const)(
    '%s is invalid_token with a description',
    (reason) => {
      expect(bearerChallenge(reason)).toMatch(
        /^Bearer realm="nhs-graph", error="invalid_token", error_description="[^"\\]+"$/,
      );
    },
  );
});
