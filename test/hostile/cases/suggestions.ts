// "Did you mean …?" leaks the schema: production hides it for fields, enum values and input fields
// given in variables (issue 15, 7).
import type { HostileCase, HostileCategory } from '../hostile-case.js';

const SEARCH = 'query S($c: PatientSearchInput!) { searchPatients(criteria: $c) { score } }';
const hidden = (name: string, body: unknown, code: string): HostileCase => ({
  name,
  modes: ['production'],
  auth: 'clerk',
  body,
  expect: { code, noData: true, noUpstreamCall: true, bodyNot: /did you mean/i },
});

export const suggestions: HostileCategory = {
  name: 'suggestions',
  cases: [
    hidden(
      'a field typo',
      { query: '{ patient(nhsNumber: "9000000009") { nhsNumbr } }' },
      'GRAPHQL_VALIDATION_FAILED',
    ),
    hidden(
      'an argument typo',
      { query: '{ patient(nhsNumbe: "9000000009") { nhsNumber } }' },
      'GRAPHQL_VALIDATION_FAILED',
    ),
    hidden(
      'a type typo',
      { query: 'query($c: PatientSearchInpt!) { searchPatients(criteria: $c) { score } }' },
      'GRAPHQL_VALIDATION_FAILED',
    ),
    hidden(
      'an enum value typo in variables',
      { query: SEARCH, variables: { c: { family: 'Smith', gender: 'FEMAL' } } },
      'BAD_USER_INPUT',
    ),
    hidden(
      'an input field typo in variables',
      { query: SEARCH, variables: { c: { famly: 'Smith', gender: 'FEMALE' } } },
      'BAD_USER_INPUT',
    ),
    hidden(
      'an enum value typo as a literal',
      { query: '{ searchPatients(criteria: { family: "Smith", gender: FEMAL }) { score } }' },
      'GRAPHQL_VALIDATION_FAILED',
    ),
  ],
};
