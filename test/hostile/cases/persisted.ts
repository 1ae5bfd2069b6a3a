// Persisted queries and HTTP methods (README "Partners and persisted queries", "The protected edge").
import { loadPartners } from '../../../gateway/partners.js';
import type { HostileCase, HostileCategory } from '../hostile-case.js';

const acme = [...(loadPartners().partner('acme')?.operations.values() ?? [])];
const orgfinder = [...(loadPartners().partner('orgfinder')?.operations.values() ?? [])];
const QUERY = '{ patient(nhsNumber: "9000000009") { nhsNumber } }';
const CSRF = { 'apollo-require-preflight': 'true' };
const PARTNER = { profile: 'partner', options: { clientId: 'acme' } } as const;
const noFetch = { noData: true, noUpstreamCall: true } as const;

const unknownIds: Array<[string, string]> = [
  ['an unknown sha256', 'f'.repeat(64)],
  ['a dot-dot id', '../../etc/passwd'],
  ['a 10,000-character id', 'a'.repeat(10_000)],
  ['a non-ASCII id', '\u00e9\u2028\u0000'],
  ['an empty id', ''],
];

export const persisted: HostileCategory = {
  name: 'persisted queries and methods',
  cases: [
    {
      name: 'a partner sending query text',
      auth: PARTNER,
      body: { query: QUERY },
      expect: { code: 'PERSISTED_QUERY_NOT_ALLOWED', status: 400, ...noFetch },
    },
    ...(orgfinder[0]
      ? [
          {
            name: "a partner sending another partner's operation",
            auth: PARTNER,
            body: { documentId: orgfinder[0].id, variables: {} },
            expect: { code: ['PERSISTED_QUERY_NOT_ALLOWED', 'PERSISTED_QUERY_NOT_FOUND'], ...noFetch },
          } satisfies HostileCase,
        ]
      : []),
    ...unknownIds.map(([label, id]): HostileCase => ({
      name: `a partner sending ${label}`,
      auth: PARTNER,
      body: { documentId: id, variables: {} },
      // An empty id is no id at all: for a partner, "not allowed" is as good.
      expect: {
        code:
          id === ''
            ? ['PERSISTED_QUERY_NOT_FOUND', 'PERSISTED_QUERY_NOT_ALLOWED']
            : 'PERSISTED_QUERY_NOT_FOUND',
        ...noFetch,
      },
    })),
    ...unknownIds.map(([label, id]): HostileCase => ({
      name: `APQ: a first-party app sending ${label} alone`,
      auth: 'clerk',
      body: { extensions: { persistedQuery: { version: 1, sha256Hash: id } } },
      // A malformed hash (e.g. empty) may be refused by the HTTP layer as BAD_REQUEST.
      expect: { code: ['PERSISTED_QUERY_NOT_FOUND', 'BAD_USER_INPUT', 'BAD_REQUEST'], ...noFetch },
    })),
    {
      name: 'APQ: a query with a hash that is not its own',
      auth: 'clerk',
      body: { query: QUERY, extensions: { persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } } },
      expect: { code: 'PERSISTED_QUERY_HASH_MISMATCH', ...noFetch },
    },
    ...(acme[0]
      ? [
          {
            name: "a partner's operation id with different query text",
            auth: PARTNER,
            body: { documentId: acme[0].id, query: QUERY },
            expect: { code: ['PERSISTED_QUERY_NOT_ALLOWED', 'BAD_USER_INPUT'], ...noFetch },
          } satisfies HostileCase,
        ]
      : []),
    ...['PUT', 'DELETE', 'PATCH'].map((method): HostileCase => ({
      name: `${method} /graphql`,
      method,
      auth: 'clerk',
      body: { query: QUERY },
      expect: { code: 'METHOD_NOT_ALLOWED', status: 405, ...noFetch },
    })),
    {
      name: 'query text by GET',
      method: 'GET',
      auth: 'clerk',
      headers: CSRF,
      search: `?query=${encodeURIComponent(QUERY)}`,
      expect: { code: 'METHOD_NOT_ALLOWED', status: 405, ...noFetch },
    },
    {
      name: 'a mutation by GET',
      method: 'GET',
      auth: 'clerk',
      headers: CSRF,
      search: `?query=${encodeURIComponent('mutation { __typename }')}`,
      expect: { code: 'METHOD_NOT_ALLOWED', status: 405, ...noFetch },
    },
  ],
};
