// Sends one hostile case over raw HTTP (node:http: a GET may carry a body, any method, any header
// fetch would refuse) and returns what came back.
import { request } from 'node:http';
import { SignJWT } from 'jose';
import { audienceFor, signInternalToken } from '../../platform/internal-token.js';
import type { Principal } from '../../platform/principal.js';
import type { TestStack } from '../stack.js';
import { bearer, mintToken } from '../tokens.js';
import type { Auth, HostileCase } from './hostile-case.js';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  text: string;
  json: { data?: unknown; errors?: Array<{ extensions?: Record<string, unknown> }> } | null;
}

/** A principal as the gateway would sign it for a clerk (a "captured" internal token). */
const CLERK: Principal = {
  kind: 'staff',
  subject: 'hostile-clerk',
  issuer: 'cis2',
  displayName: null,
  nhsNumber: null,
  proofingLevel: null,
  assuranceLevel: 3,
  roles: [{ roleId: 'r1', roleCode: 'R8000', roleName: null, orgCode: 'Y12345', activityCodes: ['B0825'] }],
  roleId: 'r1',
  orgCode: 'Y12345',
  activities: ['B0825'],
  scopes: [],
};

/** A captured token is one the gateway signed for this subgraph's `POST /graphql` with `body`. */
async function authorization(
  stack: TestStack,
  auth: Auth | undefined,
  subgraph: string,
  body: string,
  secret: string,
) {
  if (auth === undefined || auth === 'none') return {};
  if (typeof auth === 'string') return stack.bearer(auth);
  if ('raw' in auth) return { authorization: auth.raw };
  if ('profile' in auth) return bearer(await mintToken(stack.sandboxUrl, auth.profile, auth.options));
  const key = new TextEncoder().encode(auth.internal === 'wrong-secret' ? 'x'.repeat(48) : secret);
  const claims = { principal: CLERK, correlationId: 'hostile-replay' };
  if (auth.internal === 'expired') {
    const token = await new SignJWT({ principal: CLERK, cid: 'hostile-replay' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('nhs-graph-gateway')
      .setAudience(audienceFor(subgraph))
      .setIssuedAt(Math.floor(Date.now() / 1000) - 600)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 300)
      .sign(key);
    return bearer(token);
  }
  const signedBody = auth.internal === 'other-body' ? '{}' : body;
  return bearer(
    await signInternalToken(claims, { subgraph, method: 'POST', path: '/graphql', body: signedBody }, key),
  );
}

export async function sendCase(stack: TestStack, hostile: HostileCase, secret: string): Promise<RawResponse> {
  const base = new URL(
    hostile.target === undefined || hostile.target === 'gateway'
      ? stack.gatewayUrl
      : stack.subgraphUrls[hostile.target]!,
  );
  const path = `${hostile.path ?? base.pathname}${hostile.search ?? ''}`;
  const body =
    hostile.body === undefined
      ? ''
      : typeof hostile.body === 'string'
        ? hostile.body
        : JSON.stringify(hostile.body);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/graphql-response+json, application/json',
    ...(await authorization(stack, hostile.auth, hostile.target ?? 'gateway', body, secret)),
    ...hostile.headers,
  };
  const once = () => send(base, hostile.method ?? 'POST', path, headers, body, hostile.stallBody === true);
  if (hostile.sendTwice) await once();
  return once();
}

function send(
  base: URL,
  method: string,
  path: string,
  headers: Record<string, string>,
  body: string,
  stallBody = false,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: base.hostname,
        port: base.port,
        method,
        path,
        headers: { ...headers, 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: RawResponse['json'] = null;
          try {
            json = JSON.parse(text) as RawResponse['json'];
          } catch {
            // not JSON: judged as text
          }
          const flat = Object.fromEntries(
            Object.entries(res.headers).map(([key, value]) => [
              key,
              Array.isArray(value) ? value.join(', ') : (value ?? ''),
            ]),
          );
          resolve({ status: res.statusCode ?? 0, headers: flat, text, json });
        });
        res.on('error', reject);
      },
    );
    req.setTimeout(20_000, () =>
      req.destroy(new Error(`no answer within 20 s to ${method} ${path.slice(0, 80)}`)),
    );
    req.on('error', reject);
    // A stalled body: its length announced, its first bytes sent, the rest never.
    if (stallBody) req.write(body.slice(0, 5));
    else req.end(body);
  });
}
