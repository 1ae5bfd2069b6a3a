// Query limits (README "The protected edge"): each refused before any subgraph is called.
import type { HostileCase, HostileCategory } from '../hostile-case.js';

const noFetch = { noData: true, noUpstreamCall: true } as const;
const limit = (name: string, query: string, code: string): HostileCase => ({
  name,
  auth: 'clerk',
  body: { query },
  expect: { code, ...noFetch },
});

const nested = (depth: number): string =>
  `{ organisation(odsCode: "Y12345") { ${'relationships { target { '.repeat(depth)}name${' } }'.repeat(depth)} } }`;
const aliases = (n: number): string =>
  `{ ${Array.from({ length: n }, (_, i) => `a${i}: patient(nhsNumber: "9000000009") { nhsNumber }`).join(' ')} }`;

export const limits: HostileCategory = {
  name: 'limits',
  cases: [
    limit('depth 20', nested(10), 'QUERY_TOO_DEEP'),
    limit('16 aliases', aliases(16), 'TOO_MANY_ALIASES'),
    limit('100 aliases', aliases(100), 'TOO_MANY_ALIASES'),
    limit('3000 tokens', `{ ${'__typename '.repeat(3000)}}`, 'TOO_MANY_TOKENS'),
    {
      ...limit(
        'a 2000-deep selection of braces',
        `${'{'.repeat(2000)}${'}'.repeat(2000)}`,
        'TOO_MANY_TOKENS',
      ),
      expect: { code: ['TOO_MANY_TOKENS', 'GRAPHQL_PARSE_FAILED'], ...noFetch },
    },
    {
      name: '6 operations in one batch',
      auth: 'clerk',
      body: Array.from({ length: 6 }, () => ({ query: '{ __typename }' })),
      expect: { code: 'BATCH_TOO_LARGE', status: 413, ...noFetch },
    },
    {
      name: '1000 operations in one batch',
      auth: 'clerk',
      body: Array.from({ length: 1000 }, () => ({ query: '{ __typename }' })),
      expect: { code: 'BATCH_TOO_LARGE', status: 413, ...noFetch },
    },
    {
      name: 'a 200 kB body',
      auth: 'clerk',
      body: { query: `{ __typename }#${'x'.repeat(200_000)}` },
      expect: { code: 'REQUEST_TOO_LARGE', status: 413, ...noFetch },
    },
    {
      name: 'a 200 kB variable',
      auth: 'clerk',
      body: {
        query: 'query($n: NhsNumber!) { patient(nhsNumber: $n) { nhsNumber } }',
        variables: { n: '9'.repeat(200_000) },
      },
      expect: { code: 'REQUEST_TOO_LARGE', status: 413, ...noFetch },
    },
    {
      name: 'variables nested 5000 deep',
      auth: 'clerk',
      body: `{"query":"query($n: NhsNumber!) { patient(nhsNumber: $n) { nhsNumber } }","variables":{"n":${'['.repeat(5000)}${']'.repeat(5000)}}}`,
      expect: { code: 'BAD_USER_INPUT', status: 400, ...noFetch },
    },
  ],
};
