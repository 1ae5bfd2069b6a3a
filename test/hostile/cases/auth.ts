// Tokens: every refusal is 401 UNAUTHENTICATED with an RFC 6750 challenge (issue 15, 6 and 10).
import type { Auth, HostileCase, HostileCategory } from '../hostile-case.js';

const PATIENT = { query: '{ patient(nhsNumber: "9000000009") { nhsNumber } }' };
const INVALID_TOKEN = /^Bearer\b.*error="invalid_token"/;

const refused = (name: string, auth: Auth, challenge = INVALID_TOKEN): HostileCase => ({
  name,
  auth,
  body: PATIENT,
  expect: {
    code: 'UNAUTHENTICATED',
    status: 401,
    noData: true,
    noUpstreamCall: true,
    headers: { 'www-authenticate': challenge },
  },
});

export const auth: HostileCategory = {
  name: 'tokens and authentication',
  cases: [
    refused('no Authorization header', 'none', /^Bearer\b/),
    refused('Basic credentials', { raw: 'Basic dXNlcjpwYXNz' }, /^Bearer\b/),
    refused('"Bearer" with no token', { raw: 'Bearer' }),
    refused('"Bearer " and spaces', { raw: 'Bearer    ' }),
    refused('a token that is not a JWT', { raw: 'Bearer abc' }),
    refused('three empty JWT parts', { raw: 'Bearer ..' }),
    refused('garbage JWT parts', { raw: 'Bearer a.b.c' }),
    refused('alg none', { raw: 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.' }),
    refused('two tokens', { raw: 'Bearer a.b.c, Bearer d.e.f' }),
    refused('an 8 kB token', { raw: `Bearer ${'a'.repeat(8000)}.b.c` }),
    refused('non-ASCII in the token', { raw: 'Bearer \u00e9\u00e9.\u00e9.\u00e9' }),
    refused('an expired clerk token', { profile: 'clerk', options: { expiresInSeconds: -120 } }),
    refused('a clerk token for another audience', {
      profile: 'clerk',
      options: { audience: 'someone-else' },
    }),
    refused('a citizen token for another audience', {
      profile: 'citizen',
      options: { audience: 'someone-else' },
    }),
    refused('an expired partner token', { profile: 'partner', options: { expiresInSeconds: -120 } }),
    // Issue 15, 6 (a token whose claims are refused, sent twice, was INTERNAL_SERVER_ERROR): the
    // sandbox issuers mint only claims the gateway accepts, so that exact token needs a unit test.
    // Here: a token the gateway accepts whose NHS number fails Modulus 11, sent twice.
    {
      name: 'a citizen token whose NHS number fails Modulus 11, sent a second time',
      auth: { profile: 'citizen', options: { nhsNumber: '9000000001', level: 'P9' } },
      sendTwice: true,
      body: PATIENT,
      expect: { code: ['UNAUTHENTICATED', 'FORBIDDEN'], noData: true, noUpstreamCall: true },
    },
  ],
};
