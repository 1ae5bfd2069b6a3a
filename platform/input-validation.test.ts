import { buildSchema, parse, validate, specifiedRules } from 'graphql';
import { canonicalInputRule } from './input-validation.js';

// Scalars here are plain (accept anything), as they are in the gateway's supergraph schema:
// the rule alone must catch bad values.
const schema = buildSchema(`
  scalar NhsNumber
  scalar Date
  input Criteria { family: String, birthDate: Date, numbers: [NhsNumber!] }
  type Query {
    patient(nhsNumber: NhsNumber!): String
    patients(nhsNumbers: [NhsNumber!]!): [String]
    search(criteria: Criteria!): [String]
  }
`);

const problems = (query: string, variables?: Record<string, unknown>) =>
  validate(schema, parse(query), [...specifiedRules, canonicalInputRule(variables)]).map((error) => ({
    code: error.extensions['code'],
    argument: error.extensions['argument'],
  }));

describe('canonicalInputRule', () => {
  it('accepts valid literals and variables', () => {
    expect(problems('{ patient(nhsNumber: "9000000009") }')).toEqual([]);
    expect(problems('query($n: NhsNumber!) { patient(nhsNumber: $n) }', { n: '9000000009' })).toEqual([]);
    expect(problems('{ search(criteria: { birthDate: "2010-10-22", numbers: ["9000000017"] }) }')).toEqual(
      [],
    );
  });

  it.each([
    ['a bad literal', '{ patient(nhsNumber: "9000000001") }', undefined, 'nhsNumber'],
    ['a number literal', '{ patient(nhsNumber: 9000000009) }', undefined, 'nhsNumber'],
    ['a bad variable', 'query($n: NhsNumber!) { patient(nhsNumber: $n) }', { n: '123' }, 'nhsNumber'],
    ['a bad list item', '{ patients(nhsNumbers: ["9000000009", "1"]) }', undefined, 'nhsNumbers'],
    [
      'a bad list variable',
      'query($n: [NhsNumber!]!) { patients(nhsNumbers: $n) }',
      { n: ['9000000009', 'x'] },
      'nhsNumbers',
    ],
    [
      'a bad nested date',
      '{ search(criteria: { birthDate: "2010-02-31" }) }',
      undefined,
      'criteria.birthDate',
    ],
    [
      'a bad nested variable',
      'query($c: Criteria!) { search(criteria: $c) }',
      { c: { numbers: ['1'] } },
      'criteria.numbers',
    ],
  ])('refuses %s with BAD_USER_INPUT naming the argument', (_case, query, variables, argument) => {
    expect(problems(query, variables)).toEqual([{ code: 'BAD_USER_INPUT', argument }]);
  });
});
