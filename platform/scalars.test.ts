import { GraphQLError, Kind } from 'graphql';
import { DateScalar, DateTimeScalar, NhsNumberScalar } from './scalars.js';

const codeOf = (fn: () => unknown): unknown => {
  try {
    fn();
    return 'accepted';
  } catch (error) {
    return error instanceof GraphQLError ? error.extensions['code'] : 'not a GraphQLError';
  }
};

describe('NhsNumber', () => {
  it('accepts a valid number from a variable or a literal', () => {
    expect(NhsNumberScalar.parseValue('9000000009')).toBe('9000000009');
    expect(NhsNumberScalar.parseLiteral({ kind: Kind.STRING, value: '9000000009' })).toBe('9000000009');
  });

  it.each([['9000000001'], ['123'], [''], [9000000009], [null], ['900 000 0009']])(
    'refuses %p with BAD_USER_INPUT',
    (value) => {
      expect(codeOf(() => NhsNumberScalar.parseValue(value))).toBe('BAD_USER_INPUT');
    },
  );

  it('refuses a number literal even when its digits would be valid', () => {
    expect(codeOf(() => NhsNumberScalar.parseLiteral({ kind: Kind.INT, value: '9000000009' }))).toBe(
      'BAD_USER_INPUT',
    );
  });

  it('passes numbers from an upstream through on output, even one that fails Modulus 11', () => {
    expect(NhsNumberScalar.serialize('9000000015')).toBe('9000000015');
  });
});

describe('Date and DateTime', () => {
  it.each([
    ['2010-10-22', 'accepted'],
    ['2010-02-31', 'BAD_USER_INPUT'],
    ['2010-13-01', 'BAD_USER_INPUT'],
    ['22/10/2010', 'BAD_USER_INPUT'],
  ])('Date %s -> %s', (value, expected) => {
    expect(codeOf(() => DateScalar.parseValue(value))).toBe(expected);
  });

  it.each([
    ['2010-10-22T00:00:00+00:00', 'accepted'],
    ['2010-10-22T10:30:00Z', 'accepted'],
    ['2010-10-22', 'BAD_USER_INPUT'],
  ])('DateTime %s -> %s', (value, expected) => {
    expect(codeOf(() => DateTimeScalar.parseValue(value))).toBe(expected);
  });
});
