// HTTP itself: GET with non-JSON variables/extensions (issue 15, 6), bodies that are not GraphQL
// requests, CSRF (README "The protected edge"), CORS and the operational endpoints (issue 15, 12).
import type { HostileCase, HostileCategory } from '../hostile-case.js';

const CSRF = { 'apollo-require-preflight': 'true' };
const noFetch = { noData: true, noUpstreamCall: true } as const;
const PATIENT = JSON.stringify({ query: '{ patient(nhsNumber: "9000000009") { nhsNumber } }' });
const ID = 'f'.repeat(64);

const getWith = (name: string, search: string, code: string | string[] = 'BAD_USER_INPUT'): HostileCase => ({
  name,
  method: 'GET',
  auth: 'clerk',
  headers: CSRF,
  search,
  // 400 when the answer is BAD_USER_INPUT; issue 13 has yet to fix the status of an unknown id.
  expect: { code, ...(code === 'BAD_USER_INPUT' ? { status: 400 } : {}), ...noFetch },
});

const badBody = (name: string, body: string, contentType = 'application/json'): HostileCase => ({
  name,
  auth: 'clerk',
  headers: { 'content-type': contentType },
  body,
  // Not a GraphQL request at all: the HTTP layer's BAD_REQUEST is as good as BAD_USER_INPUT.
  expect: { code: ['BAD_USER_INPUT', 'BAD_REQUEST'], status: 400, ...noFetch },
});

export const transport: HostileCategory = {
  name: 'HTTP: GET, bodies, CSRF, CORS',
  cases: [
    // Slow bodies (issue 15, 3): no token, no slot and no waiting for the body; a token holder's
    // stalled body is cut off at GATEWAY_BODY_TIMEOUT_MS.
    {
      name: 'a stalled body with no token',
      auth: 'none',
      body: PATIENT,
      stallBody: true,
      expect: { code: 'UNAUTHENTICATED', status: 401, ...noFetch },
    },
    {
      name: 'a stalled body from a clerk',
      auth: 'clerk',
      body: PATIENT,
      stallBody: true,
      expect: { code: 'REQUEST_TIMEOUT', status: 408, headers: { connection: /close/ }, ...noFetch },
    },
    getWith('GET with variables that are not JSON', `?documentId=${ID}&variables=not-json`),
    getWith('GET with extensions that are not JSON', `?documentId=${ID}&extensions=%7Bnot`),
    // JSON, but not an object: refusing the unknown id first is as good.
    getWith('GET with variables that are a JSON array', `?documentId=${ID}&variables=%5B1%5D`, [
      'BAD_USER_INPUT',
      'PERSISTED_QUERY_NOT_FOUND',
    ]),
    getWith('GET with variables that are a JSON string', `?documentId=${ID}&variables=%22x%22`, [
      'BAD_USER_INPUT',
      'PERSISTED_QUERY_NOT_FOUND',
    ]),
    getWith('GET with a NUL in variables', `?documentId=${ID}&variables=%00`),
    badBody('a body that is not JSON', '{"query": '),
    badBody('a JSON null body', 'null'),
    badBody('a JSON number body', '1'),
    badBody('a JSON string body', '"{ __typename }"'),
    { name: 'an empty batch', auth: 'clerk', body: '[]', expect: { ...noFetch } },
    badBody('a query that is a number', '{"query": 1}'),
    badBody('variables that are a string', '{"query": "{ __typename }", "variables": "x"}'),
    badBody('an empty body', ''),
    {
      name: 'GET without a CSRF header',
      method: 'GET',
      auth: 'clerk',
      search: `?documentId=${ID}`,
      expect: { code: 'CSRF_HEADER_REQUIRED', status: 403, ...noFetch },
    },
    ...['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x'].map(
      (contentType): HostileCase => ({
        name: `a ${contentType.split(';')[0]} POST without a CSRF header`,
        auth: 'clerk',
        headers: { 'content-type': contentType },
        body: PATIENT,
        expect: { code: 'CSRF_HEADER_REQUIRED', status: 403, ...noFetch },
      }),
    ),
    {
      name: 'a CORS preflight from a foreign origin',
      method: 'OPTIONS',
      headers: {
        origin: 'https://evil.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
      expect: { headers: { 'access-control-allow-origin': null, 'access-control-allow-credentials': null } },
    },
    {
      name: 'a POST from a foreign origin is not readable by it',
      auth: 'clerk',
      headers: { origin: 'https://evil.example' },
      body: PATIENT,
      expect: { headers: { 'access-control-allow-origin': null, 'access-control-allow-credentials': null } },
    },
    {
      name: 'a CORS preflight from a null origin',
      method: 'OPTIONS',
      headers: { origin: 'null', 'access-control-request-method': 'POST' },
      expect: { headers: { 'access-control-allow-origin': null } },
    },
    {
      name: 'a CORS preflight from localhost in production',
      modes: ['production'],
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:3000', 'access-control-request-method': 'POST' },
      expect: { headers: { 'access-control-allow-origin': null } },
    },
    ...['/metrics', '/status'].map((path): HostileCase => ({
      name: `${path} on the public port in production`,
      modes: ['production'],
      method: 'GET',
      path,
      expect: { status: [401, 403, 404], bodyNot: /nhs_graph_|process_cpu|"subgraphs"/ },
    })),
  ],
};
