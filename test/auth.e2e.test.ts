// Authentication and authorisation end to end: real tokens from the sandbox issuers, forged
// tokens built here, and direct calls to a subgraph that bypass the gateway.
import { createHmac, createPublicKey } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { signInternalToken } from '../platform/internal-token.js';
import { citizen } from './principals.js';
import { errorCodes, postGraphQL } from './graphql-client.js';
import { postPersisted } from './persisted.js';
import { resetSandbox, upstreamCalls } from './sandbox-client.js';
import { bearer, mintToken } from './tokens.js';
import { useTestStack } from './stack.js';

const stack = useTestStack({ NODE_ENV: 'test' });
const LOCAL_SECRET = 'nhs-graph-local-development-secret-not-for-production';

const PATIENT = `{ patient(nhsNumber: "9000000009") { nhsNumber name { text } address { postcode } } }`;
const nhsLoginIssuer = () => `${stack.sandboxUrl}/identity/nhs-login`;
const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Claims a real NHS login token for 9000000009 at P9 would carry, for forging. */
async function realCitizenClaims() {
  const token = await mintToken(stack.sandboxUrl, 'citizen', { nhsNumber: '9000000009', level: 'P9' });
  return { token, claims: decodeJwt(token), header: decodeProtectedHeader(token) };
}

async function nhsLoginPublicJwk(): Promise<JWK> {
  const response = await fetch(`${nhsLoginIssuer()}/.well-known/jwks.json`);
  const { keys } = (await response.json()) as { keys: JWK[] };
  return keys[0] as JWK;
}

const forgeries: Array<[string, () => Promise<string>]> = [
  ['no token at all', () => Promise.resolve('')],
  ['a token that is not a JWT', () => Promise.resolve('not-a-jwt')],
  [
    'alg none',
    async () => {
      const { claims } = await realCitizenClaims();
      return `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(claims)}.`;
    },
  ],
  [
    'HS256 signed with the issuer’s public key (RS/HS confusion)',
    async () => {
      const { claims, header } = await realCitizenClaims();
      const pem = createPublicKey({ key: (await nhsLoginPublicJwk()) as never, format: 'jwk' }).export({
        type: 'spki',
        format: 'pem',
      });
      const signingInput = `${base64url({ alg: 'HS256', typ: 'JWT', kid: header.kid })}.${base64url(claims)}`;
      return `${signingInput}.${createHmac('sha256', pem).update(signingInput).digest('base64url')}`;
    },
  ],
  [
    'a key the issuer never published (unknown kid)',
    async () => {
      const { claims } = await realCitizenClaims();
      const { privateKey } = await generateKeyPair('RS512');
      return new SignJWT(claims).setProtectedHeader({ alg: 'RS512', kid: 'attacker-key' }).sign(privateKey);
    },
  ],
  [
    'an attacker’s key under the issuer’s real kid',
    async () => {
      const { claims, header } = await realCitizenClaims();
      const { privateKey } = await generateKeyPair('RS512');
      return new SignJWT(claims).setProtectedHeader({ alg: 'RS512', kid: header.kid ?? '' }).sign(privateKey);
    },
  ],
  [
    'claims edited after signing (another NHS number)',
    async () => {
      const { token, claims } = await realCitizenClaims();
      const [header, , signature] = token.split('.');
      return `${header}.${base64url({ ...claims, nhs_number: '9000000017' })}.${signature}`;
    },
  ],
  ['an expired token', () => mintToken(stack.sandboxUrl, 'clerk', { expiresInSeconds: -120 })],
  [
    'a token for another audience',
    () => mintToken(stack.sandboxUrl, 'clerk', { audience: 'another-service' }),
  ],
  [
    'a token from an issuer nhs-graph does not trust',
    async () => {
      const { claims } = await realCitizenClaims();
      const { privateKey, publicKey } = await generateKeyPair('RS512');
      const kid = (await exportJWK(publicKey)).n?.slice(0, 8) ?? 'k';
      return new SignJWT({ ...claims, iss: 'https://login.example.net' })
        .setProtectedHeader({ alg: 'RS512', kid })
        .sign(privateKey);
    },
  ],
];

describe('the gateway refuses every forged or unusable token with 401 UNAUTHENTICATED', () => {
  it.each(forgeries)('%s', async (_case, forge) => {
    const token = await forge();
    const response = await postGraphQL(stack.gatewayUrl, PATIENT, undefined, token ? bearer(token) : {});
    expect(response.status).toBe(401);
    expect(errorCodes(response)).toEqual(['UNAUTHENTICATED']);
    expect(response.body.data ?? null).toBeNull();
    expect(await upstreamCalls(stack.sandboxUrl, 'pds')).toBe(0);
  });

  it('accepts the same citizen’s genuine token (the forgeries above differ only in what they forge)', async () => {
    const { token } = await realCitizenClaims();
    const response = await postGraphQL(stack.gatewayUrl, PATIENT, undefined, bearer(token));
    expect(response.status).toBe(200);
    expect(response.body.errors).toBeUndefined();
  });

  it('still refuses a token edited after the genuine one was accepted (and remembered)', async () => {
    const { token, claims } = await realCitizenClaims();
    const genuine = await postGraphQL(stack.gatewayUrl, PATIENT, undefined, bearer(token));
    expect(genuine.status).toBe(200);
    const again = await postGraphQL(stack.gatewayUrl, PATIENT, undefined, bearer(token));
    expect(again.status).toBe(200);
    expect(again.body.data).toEqual(genuine.body.data);

    const [header, , signature] = token.split('.');
    const edited = `${header}.${base64url({ ...claims, nhs_number: '9000000017' })}.${signature}`;
    const refused = await postGraphQL(stack.gatewayUrl, PATIENT, undefined, bearer(edited));
    expect(refused.status).toBe(401);
    expect(errorCodes(refused)).toEqual(['UNAUTHENTICATED']);
  });
});

describe('a 401 says why, as RFC 6750 asks, so a client knows whether to refresh', () => {
  const forgery = (name: string) =>
    forgeries.find(([label]) => label === name)?.[1] ?? (() => Promise.resolve(''));
  const invalid = (description: string) =>
    `Bearer realm="nhs-graph", error="invalid_token", error_description="${description}"`;
  it.each<[string, string, string]>([
    ['no token at all', 'TOKEN_MISSING', 'Bearer realm="nhs-graph"'],
    ['a token that is not a JWT', 'TOKEN_MALFORMED', invalid('The bearer token is not a well-formed JWT.')],
    ['an expired token', 'TOKEN_EXPIRED', invalid('The bearer token has expired.')],
    [
      'a token for another audience',
      'TOKEN_WRONG_AUDIENCE',
      invalid('The bearer token was issued for another audience.'),
    ],
    [
      'a token from an issuer nhs-graph does not trust',
      'TOKEN_UNTRUSTED_ISSUER',
      invalid('The bearer token is not from a trusted issuer.'),
    ],
    [
      'an attacker’s key under the issuer’s real kid',
      'TOKEN_INVALID',
      invalid('The bearer token signature or claims are invalid.'),
    ],
  ])('%s: %s', async (name, reason, challenge) => {
    const token = await forgery(name)();
    const response = await postGraphQL(stack.gatewayUrl, PATIENT, undefined, token ? bearer(token) : {});
    expect(response.status).toBe(401);
    expect(errorCodes(response)).toEqual(['UNAUTHENTICATED']);
    expect(response.body.errors?.[0]?.extensions?.['reason']).toBe(reason);
    expect(response.headers.get('www-authenticate')).toBe(challenge);
  });
});

describe('subgraphs answer only the gateway', () => {
  const demographicsUrl = () => stack.subgraphUrls['demographics'] ?? '';
  const post = (headers: Record<string, string>, body: string) =>
    fetch(demographicsUrl(), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });

  it('refuses a client that reaches a subgraph port directly', async () => {
    const response = await post({}, JSON.stringify({ query: PATIENT }));
    expect(response.status).toBe(401);
    expect(await upstreamCalls(stack.sandboxUrl, 'pds')).toBe(0);
  });

  it('refuses a client’s own NHS login token', async () => {
    const { token } = await realCitizenClaims();
    const response = await post(bearer(token), JSON.stringify({ query: PATIENT }));
    expect(response.status).toBe(401);
  });

  it('refuses a valid internal token replayed with another query', async () => {
    const signedFor = JSON.stringify({ query: '{ __typename }' });
    const token = await signInternalToken(
      { principal: citizen('9000000009'), correlationId: 'replay' },
      { subgraph: 'demographics', method: 'POST', path: '/graphql', body: signedFor },
      new TextEncoder().encode(LOCAL_SECRET),
    );
    const replayed = await post(bearer(token), JSON.stringify({ query: PATIENT }));
    expect(replayed.status).toBe(401);
    const genuine = await post(bearer(token), signedFor);
    expect(genuine.status).toBe(200);
  });
});

describe('field-level rules end to end', () => {
  it('lets a citizen read their own record and refuses anyone else’s without calling PDS', async () => {
    const token = await mintToken(stack.sandboxUrl, 'citizen', { nhsNumber: '9000000017', level: 'P9' });
    const own = await postGraphQL(
      stack.gatewayUrl,
      `{ patient(nhsNumber: "9000000017") { nhsNumber } }`,
      undefined,
      bearer(token),
    );
    expect(own.body.errors).toBeUndefined();
    await resetSandbox(stack.sandboxUrl);
    const other = await postGraphQL(stack.gatewayUrl, PATIENT, undefined, bearer(token));
    expect(other.body.data?.['patient']).toBeNull();
    expect(errorCodes(other)).toEqual(['FORBIDDEN']);
    expect(await upstreamCalls(stack.sandboxUrl, 'pds')).toBe(0);
  });

  it('gives a partner only the fields its scopes allow; the rest of the query answers', async () => {
    // Partners run persisted operations only: acme's PatientRegisteredGp, with a token that
    // lacks organisation.read.
    const token = await mintToken(stack.sandboxUrl, 'partner', {
      clientId: 'acme',
      scopes: ['patient:demographics.read'],
    });
    const response = await postPersisted(
      stack.gatewayUrl,
      'acme',
      'PatientRegisteredGp',
      { nhsNumber: '9000000009' },
      token,
    );
    expect(response.body.data?.['patient']).toEqual({ nhsNumber: '9000000009', registeredGp: null });
    expect(response.body.errors?.map((e) => [e.path?.join('.'), e.extensions?.['code']])).toEqual([
      ['patient.registeredGp', 'FORBIDDEN'],
    ]);
  });

  it('refuses a citizen a search, which only staff and partners may run', async () => {
    const token = await mintToken(stack.sandboxUrl, 'citizen', { nhsNumber: '9000000009' });
    const response = await postGraphQL(
      stack.gatewayUrl,
      `{ searchPatients(criteria: { family: "Smith" }) { score } }`,
      undefined,
      bearer(token),
    );
    expect(errorCodes(response)).toEqual(['FORBIDDEN']);
  });
});

describe('Query.me', () => {
  const ME = `{ me { kind subject displayName assuranceLevel activities scopes
    selectedRole { roleCode organisation { odsCode } } organisation { odsCode }
    patient { nhsNumber name { text } } } }`;

  it('tells a citizen who they are and joins their own Patient from demographics', async () => {
    const token = await mintToken(stack.sandboxUrl, 'citizen', { nhsNumber: '9000000009', level: 'P9' });
    const response = await postGraphQL(stack.gatewayUrl, ME, undefined, bearer(token));
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data?.['me']).toMatchObject({
      kind: 'CITIZEN',
      assuranceLevel: 'P9',
      selectedRole: null,
      patient: { nhsNumber: '9000000009', name: { text: 'Mrs Jane Smith MBE' } },
    });
  });

  it('tells a clinician their selected role, organisation and activities', async () => {
    const token = await mintToken(stack.sandboxUrl, 'clinician');
    const response = await postGraphQL(stack.gatewayUrl, ME, undefined, bearer(token));
    expect(response.body.errors).toBeUndefined();
    const me = response.body.data?.['me'] as {
      kind: string;
      activities: string[];
      selectedRole: { roleCode: string };
      assuranceLevel: string;
    };
    expect(me).toMatchObject({
      kind: 'STAFF',
      assuranceLevel: 'AAL3',
      patient: null,
      organisation: { odsCode: expect.any(String) },
    });
    expect(me.selectedRole.roleCode).toMatch(/^S\d+:G\d+:R\d+$/);
    expect(me.activities).toContain('B0825');
  });

  it('tells a partner its client id and scopes', async () => {
    const token = await mintToken(stack.sandboxUrl, 'partner', { clientId: 'orgfinder' });
    const response = await postPersisted(stack.gatewayUrl, 'orgfinder', 'PartnerIdentity', {}, token);
    expect(response.body.data?.['me']).toEqual({
      kind: 'PARTNER',
      subject: 'orgfinder',
      scopes: ['organisation.read'],
    });
  });
});
