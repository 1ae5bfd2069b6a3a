// The partners issuer's real OAuth 2.0 token endpoint: client-credentials grant (RFC 6749 §4.4),
// client authentication by client_secret_post or client_secret_basic (§2.3.1), errors in the
// §5.2 format. Partners of nhs-graph get their bearer tokens here, as they would in production.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { headerValue } from '../http-util.js';
import { MintError, partnerClaims, type ClaimContext, type IssuedClaims } from './claims.js';
import { PARTNER_CLIENTS } from './profiles.js';

export interface OAuthAnswer {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

/** §5.1: token responses and their errors must not be cached. */
const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' };

const oauthError = (status: number, error: string, description: string, headers = {}): OAuthAnswer => ({
  status,
  headers: { ...NO_STORE, ...headers },
  body: { error, error_description: description },
});

/** Compares digests so the time taken says nothing about how much of a secret matched. */
function sameSecret(given: string, expected: string): boolean {
  const digest = (value: string): Buffer => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

interface Credentials {
  clientId: string;
  secret: string;
  viaBasic: boolean;
}

/** §2.3.1: Basic credentials are form-urlencoded before base64; a client must use one method only. */
function readCredentials(headers: IncomingHttpHeaders, form: URLSearchParams): Credentials | string {
  const authorization = headerValue(headers.authorization);
  const inBody = form.has('client_id') || form.has('client_secret');
  if (authorization !== null && /^basic /i.test(authorization)) {
    if (inBody) return 'use one client authentication method, not both';
    const decoded = Buffer.from(authorization.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return 'malformed Basic credentials';
    const decode = (part: string): string => decodeURIComponent(part.replace(/\+/g, ' '));
    try {
      return {
        clientId: decode(decoded.slice(0, colon)),
        secret: decode(decoded.slice(colon + 1)),
        viaBasic: true,
      };
    } catch {
      return 'malformed Basic credentials';
    }
  }
  const clientId = form.get('client_id');
  if (clientId === null) return 'client authentication is required (client_id and client_secret)';
  return { clientId, secret: form.get('client_secret') ?? '', viaBasic: false };
}

export async function clientCredentialsToken(
  headers: IncomingHttpHeaders,
  rawBody: string,
  ctx: ClaimContext,
  sign: (issued: IssuedClaims) => Promise<string>,
): Promise<OAuthAnswer> {
  const contentType = headerValue(headers['content-type']) ?? '';
  if (!/^application\/x-www-form-urlencoded\b/i.test(contentType)) {
    return oauthError(400, 'invalid_request', 'the body must be application/x-www-form-urlencoded');
  }
  const form = new URLSearchParams(rawBody);
  const repeated = [...new Set(form.keys())].filter((key) => form.getAll(key).length > 1);
  if (repeated.length > 0) {
    return oauthError(400, 'invalid_request', `parameters sent more than once: ${repeated.join(', ')}`);
  }
  const grantType = form.get('grant_type');
  if (grantType === null) return oauthError(400, 'invalid_request', 'grant_type is required');

  const credentials = readCredentials(headers, form);
  if (typeof credentials === 'string') return oauthError(400, 'invalid_request', credentials);
  const client = PARTNER_CLIENTS[credentials.clientId];
  if (client === undefined || !sameSecret(credentials.secret, client.secret)) {
    // §5.2: 401; WWW-Authenticate when the client tried the Authorization header.
    const challenge = credentials.viaBasic ? { 'WWW-Authenticate': 'Basic realm="partners"' } : {};
    return oauthError(401, 'invalid_client', 'unknown client or bad client secret', challenge);
  }
  if (grantType !== 'client_credentials') {
    return oauthError(400, 'unsupported_grant_type', 'this issuer grants client_credentials only');
  }

  const scopeParam = form.get('scope')?.trim() ?? '';
  const scopes = scopeParam === '' ? undefined : scopeParam.split(/ +/);
  const audience = form.get('audience') ?? '';
  let issued: IssuedClaims;
  try {
    issued = partnerClaims(credentials.clientId, scopes, audience === '' ? {} : { audience }, ctx);
  } catch (error) {
    if (error instanceof MintError) return oauthError(400, 'invalid_scope', error.message);
    throw error;
  }
  return {
    status: 200,
    headers: NO_STORE,
    body: {
      access_token: await sign(issued),
      token_type: 'Bearer',
      expires_in: Number(issued.claims['exp']) - Number(issued.claims['iat']),
      scope: issued.claims['scope'],
    },
  };
}
