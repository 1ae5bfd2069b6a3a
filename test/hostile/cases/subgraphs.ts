// Straight to a subgraph's port: it answers only what the gateway signed — a POST with exactly the
// signed body, nothing from the query string, no replay (issue 15, 1) — and checks `_entities`
// representations like root arguments (issue 15, 2).
import type { HostileCase, HostileCategory } from '../hostile-case.js';
import { HOSTILE_IN_PATH, INJECTION_VALUES } from './injection-values.js';

const ENTITIES =
  'query($r: [_Any!]!) { _entities(representations: $r) { ... on Patient { nhsNumber name { text } } } }';
const patientEntity = (nhsNumber: string) => ({
  query: ENTITIES,
  variables: { r: [{ __typename: 'Patient', nhsNumber }] },
});
const ORG_ENTITIES =
  'query($r: [_Any!]!) { _entities(representations: $r) { ... on Organisation { name } } }';
// Refused before anything runs: not signed, not the method, path or shape the gateway sends.
const REFUSED = ['UNAUTHENTICATED', 'METHOD_NOT_ALLOWED', 'FORBIDDEN', 'BAD_REQUEST', 'NOT_FOUND'];
// A hostile `_entities` key resolves to no entity (NOT_FOUND for that entity alone, README "Errors").
const ENTITY_KEY_REFUSED = ['NOT_FOUND', 'BAD_USER_INPUT', 'UNAUTHENTICATED'];
const noFetch = { noData: true, noUpstreamCall: true } as const;

const direct = (name: string, extra: Partial<HostileCase>, expect: HostileCase['expect']): HostileCase => ({
  name,
  target: 'demographics',
  body: patientEntity('9000000009'),
  ...extra,
  expect,
});

export const subgraphs: HostileCategory = {
  name: '_entities and requests sent straight to a subgraph',
  cases: [
    direct('no token', { auth: 'none' }, { code: 'UNAUTHENTICATED', status: 401, ...noFetch }),
    direct("a client's own token", { auth: 'clerk' }, { code: 'UNAUTHENTICATED', status: 401, ...noFetch }),
    direct(
      'an internal token signed with another secret',
      { auth: { internal: 'wrong-secret' } },
      { code: 'UNAUTHENTICATED', status: 401, ...noFetch },
    ),
    direct(
      'an internal token signed for another body',
      { auth: { internal: 'other-body' } },
      { code: 'UNAUTHENTICATED', status: 401, ...noFetch },
    ),
    direct(
      'an expired internal token',
      { auth: { internal: 'expired' } },
      { code: 'UNAUTHENTICATED', status: 401, ...noFetch },
    ),
    direct(
      'GET ?query= with no token',
      {
        auth: 'none',
        method: 'GET',
        body: undefined,
        search: `?query=${encodeURIComponent('{ _service { sdl } }')}`,
      },
      { code: ['UNAUTHENTICATED', 'METHOD_NOT_ALLOWED'], status: [401, 405], ...noFetch },
    ),
    direct(
      'a captured internal token replayed as GET ?query= with its signed body',
      {
        auth: { internal: 'valid' },
        method: 'GET',
        search: `?query=${encodeURIComponent('{ _entities(representations: [{__typename: "Patient", nhsNumber: "9000000017"}]) { ... on Patient { nhsNumber } } }')}`,
      },
      { code: REFUSED, ...noFetch },
    ),
    direct(
      'a captured internal token with its POST body and a ?query= that the token does not sign',
      { auth: { internal: 'valid' }, search: `?query=${encodeURIComponent('{ _service { sdl } }')}` },
      { code: REFUSED, ...noFetch },
    ),
    direct(
      'a captured internal token sent to another path',
      { auth: { internal: 'valid' }, path: '/graphql/' },
      { code: REFUSED, noData: true },
    ),
    direct(
      'a captured internal token used twice',
      { auth: { internal: 'valid' }, sendTwice: true },
      { code: REFUSED, noData: true },
    ),
    ...INJECTION_VALUES.filter(([, value]) => value.length < 1000).map(([label, value]): HostileCase => ({
      name: `_entities Patient nhsNumber: ${label}`,
      target: 'demographics',
      auth: { internal: 'valid' },
      body: patientEntity(value),
      expect: { code: ENTITY_KEY_REFUSED, noData: true, upstreamPathNot: HOSTILE_IN_PATH },
    })),
    ...INJECTION_VALUES.filter(([, value]) => value.length < 1000).map(([label, value]): HostileCase => ({
      name: `_entities Organisation odsCode: ${label}`,
      target: 'organisations',
      auth: { internal: 'valid' },
      body: { query: ORG_ENTITIES, variables: { r: [{ __typename: 'Organisation', odsCode: value }] } },
      expect: { code: ENTITY_KEY_REFUSED, noData: true, upstreamPathNot: HOSTILE_IN_PATH },
    })),
  ],
};
