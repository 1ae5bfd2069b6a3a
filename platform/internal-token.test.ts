// The internal token binds the whole request it was signed for — subgraph, method, path and body —
// and carries an id of its own, so a subgraph can refuse it anywhere else and a second time.
import { SignJWT } from 'jose';
import { clerk } from '../test/principals.js';
import { signInternalToken, verifyInternalToken, type SignedRequest } from './internal-token.js';

const secret = new TextEncoder().encode('internal-token-test-secret-0123456789abcdef');
const claims = { principal: clerk(), correlationId: 'cid-1' };
const request: SignedRequest = {
  subgraph: 'demographics',
  method: 'POST',
  path: '/graphql',
  body: JSON.stringify({ query: '{ patient(nhsNumber: "9000000009") { nhsNumber } }' }),
};

describe('internal token', () => {
  it('verifies for exactly the request it was signed for, with an id and expiry', async () => {
    const token = await signInternalToken(claims, request, secret);
    const verified = await verifyInternalToken(token, request, secret);
    expect(verified).toMatchObject({ correlationId: 'cid-1', principal: { subject: clerk().subject } });
    expect(verified?.tokenId).toMatch(/^[0-9a-f-]{36}$/);
    expect(verified?.expiresAt).toBeGreaterThan(Date.now());
  });

  it('gives every token an id of its own, even for the same request', async () => {
    const [a, b] = await Promise.all([
      signInternalToken(claims, request, secret),
      signInternalToken(claims, request, secret),
    ]);
    const ids = await Promise.all([a, b].map((t) => verifyInternalToken(t, request, secret)));
    expect(ids[0]?.tokenId).not.toEqual(ids[1]?.tokenId);
  });

  it.each<[string, Partial<SignedRequest>]>([
    ['another body', { body: JSON.stringify({ query: '{ _entities { __typename } }' }) }],
    ['an empty body (a GET)', { body: '' }],
    ['another method', { method: 'GET' }],
    ['another path', { path: '/graphql/' }],
    ['another subgraph', { subgraph: 'careRecord' }],
  ])('is refused for %s', async (_, change) => {
    const token = await signInternalToken(claims, request, secret);
    expect(await verifyInternalToken(token, { ...request, ...change }, secret)).toBeNull();
  });

  it("carries the client's operation name for the audit trail, and only a GraphQL name", async () => {
    const named = await signInternalToken({ ...claims, operationName: 'PatientCard' }, request, secret);
    expect((await verifyInternalToken(named, request, secret))?.operationName).toBe('PatientCard');
    for (const odd of [null, 'two words', 'x'.repeat(201), '1st'])
      expect(
        (
          await verifyInternalToken(
            await signInternalToken({ ...claims, operationName: odd }, request, secret),
            request,
            secret,
          )
        )?.operationName,
      ).toBeNull();
  });

  it('is refused with another secret', async () => {
    const token = await signInternalToken(claims, request, new TextEncoder().encode('x'.repeat(40)));
    expect(await verifyInternalToken(token, request, secret)).toBeNull();
  });

  it('is refused without an id (a token of the earlier, body-only kind)', async () => {
    const token = await new SignJWT({ principal: clerk(), cid: 'cid-1', bh: 'x' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('nhs-graph-gateway')
      .setAudience('nhs-graph-subgraphs')
      .setIssuedAt()
      .setExpirationTime('60s')
      .sign(secret);
    expect(await verifyInternalToken(token, request, secret)).toBeNull();
  });
});
