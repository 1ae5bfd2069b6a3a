// The three local token issuers: NHS login (citizens), CIS2 (staff) and a client-credentials
// issuer for partners. Each has its own asymmetric key pair generated at sandbox start; the private
// key is a non-extractable WebCrypto key, so it cannot leave this process even by accident.
import { calculateJwkThumbprint, exportJWK, generateKeyPair, jwtVerify, SignJWT } from 'jose';
import type { JSONWebKeySet, JWK, JWTPayload } from 'jose';
import { PARTNER_CLIENTS } from './profiles.js';

export const IDENTITY_BASE_PATH = '/identity';
export const ISSUER_NAMES = ['nhs-login', 'cis2', 'partners'] as const;
export type IssuerName = (typeof ISSUER_NAMES)[number];

interface IssuerSpec {
  /**
   * NHS login signs RS512 (nhsconnect/nhslogin interface-spec-doc-3/-4). CIS2 "will use a RS256
   * algorithm to sign JWTs unless specifically requested to do otherwise" (digital.nhs.uk CIS2
   * detailed guidance, "Signatures"). Partners: RS256, the JWS algorithm every JWT library must
   * support (RFC 7518 §3.1 "Recommended+"); no real service defines this issuer.
   */
  alg: 'RS512' | 'RS256';
  /** Below the issuer URL. CIS2 (ForgeRock AM) publishes `connect/jwk_uri`, NHS login `.well-known/jwks.json`. */
  jwksPath: string;
  /** The metadata the real provider's discovery document carries, as far as it is published. */
  discovery(issuer: string, jwksUri: string): Record<string, unknown>;
}

const SPECS: Record<IssuerName, IssuerSpec> = {
  // Endpoints, scopes and auth method: nhslogin interface-spec-doc-3 §3.3, §3.4.1.1, §3.5;
  // scopes-and-claims.md. No verbatim discovery document is published (APIS.md "Gaps").
  'nhs-login': {
    alg: 'RS512',
    jwksPath: '/.well-known/jwks.json',
    discovery: (issuer, jwksUri) => ({
      issuer,
      authorization_endpoint: `${issuer}/authorize`,
      token_endpoint: `${issuer}/token`,
      userinfo_endpoint: `${issuer}/userinfo`,
      jwks_uri: jwksUri,
      scopes_supported: [
        'openid',
        'profile',
        'basic_demographics',
        'profile_extended',
        'email',
        'phone',
        'gp_registration_details',
        'gp_integration_credentials',
        'client_metadata',
      ],
      response_types_supported: ['code'],
      response_modes_supported: ['query'],
      grant_types_supported: ['authorization_code', 'refresh_token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS512'],
      token_endpoint_auth_methods_supported: ['private_key_jwt'],
      token_endpoint_auth_signing_alg_values_supported: ['RS512'],
      claims_supported: [
        'iss',
        'aud',
        'sub',
        'exp',
        'iat',
        'jti',
        'auth_time',
        'vot',
        'vtm',
        'nhs_number',
        'family_name',
        'birthdate',
        'identity_proofing_level',
        'given_name',
        'email',
        'email_verified',
        'phone_number',
        'phone_number_verified',
      ],
    }),
  },
  // ForgeRock AM paths (authorize, access_token, userinfo, connect/jwk_uri) as CIS2 relying parties
  // configure them (MAVIS nhsuk_cis2_spec.rb); scopes from APIS.md §7; acr values seen in ISA/MAVIS.
  cis2: {
    alg: 'RS256',
    jwksPath: '/connect/jwk_uri',
    discovery: (issuer, jwksUri) => ({
      issuer,
      authorization_endpoint: `${issuer}/authorize`,
      token_endpoint: `${issuer}/access_token`,
      userinfo_endpoint: `${issuer}/userinfo`,
      jwks_uri: jwksUri,
      scopes_supported: [
        'openid',
        'profile',
        'email',
        'nhsperson',
        'associatedorgs',
        'nationalrbacaccess',
        'professionalmemberships',
        'organisationalmemberships',
        'selectedrole',
      ],
      acr_values_supported: ['AAL3_ANY', 'AAL1_USERPASS'],
      response_types_supported: ['code'],
      grant_types_supported: ['authorization_code', 'refresh_token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt'],
      claims_supported: [
        'iss',
        'aud',
        'sub',
        'exp',
        'iat',
        'jti',
        'auth_time',
        'acr',
        'amr',
        'id_assurance_level',
        'authentication_assurance_level',
        'name',
        'given_name',
        'family_name',
        'nhsid_useruid',
        'nhsid_nrbac_roles',
        'selected_roleid',
      ],
    }),
  },
  // OAuth 2.0 authorization server metadata (RFC 8414) for a client-credentials-only server.
  partners: {
    alg: 'RS256',
    jwksPath: '/.well-known/jwks.json',
    discovery: (issuer, jwksUri) => ({
      issuer,
      token_endpoint: `${issuer}/token`,
      jwks_uri: jwksUri,
      grant_types_supported: ['client_credentials'],
      response_types_supported: [],
      token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
      scopes_supported: [
        ...new Set(Object.values(PARTNER_CLIENTS).flatMap((client) => client.scopes)),
      ].sort(),
    }),
  },
};

export interface Issuer {
  name: IssuerName;
  alg: IssuerSpec['alg'];
  kid: string;
  /** Where the issuer lives below the sandbox URL, e.g. `/identity/nhs-login`. */
  basePath: string;
  jwksPath: string;
  jwks(): JSONWebKeySet;
  discovery(issuer: string): Record<string, unknown>;
  sign(claims: JWTPayload): Promise<string>;
  /** Checks a token this issuer signed (any audience), e.g. for its userinfo endpoint. */
  verify(token: string, issuer: string): Promise<JWTPayload>;
}

async function createIssuer(name: IssuerName): Promise<Issuer> {
  const spec = SPECS[name];
  const { privateKey, publicKey } = await generateKeyPair(spec.alg, { modulusLength: 2048 });
  const publicJwk: JWK = await exportJWK(publicKey);
  // RFC 7638 thumbprint: a kid that names exactly this key, so a rotated key never reuses one.
  const kid = await calculateJwkThumbprint(publicJwk);
  const jwk: JWK = { ...publicJwk, kid, alg: spec.alg, use: 'sig' };
  const basePath = `${IDENTITY_BASE_PATH}/${name}`;
  return {
    name,
    alg: spec.alg,
    kid,
    basePath,
    jwksPath: spec.jwksPath,
    jwks: () => ({ keys: [jwk] }),
    discovery: (issuer) => spec.discovery(issuer, `${issuer}${spec.jwksPath}`),
    sign: (claims) =>
      new SignJWT(claims).setProtectedHeader({ alg: spec.alg, kid, typ: 'JWT' }).sign(privateKey),
    verify: async (token, issuer) =>
      (await jwtVerify(token, publicKey, { issuer, algorithms: [spec.alg] })).payload,
  };
}

/** Generates the three key pairs (in parallel: RSA generation takes tens of milliseconds). */
export async function createIssuers(): Promise<Record<IssuerName, Issuer>> {
  const [nhsLogin, cis2, partners] = await Promise.all([
    createIssuer('nhs-login'),
    createIssuer('cis2'),
    createIssuer('partners'),
  ]);
  return { 'nhs-login': nhsLogin, cis2, partners };
}
