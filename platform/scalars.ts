// The canonical scalars (schema/shared.graphql). NhsNumber is validated on input only: numbers
// that arrive from an upstream are passed through untouched, never dropped (PDS's own sandbox
// serves 9000000015, which fails Modulus 11).
import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql';
import { ErrorCode } from './errors.js';
import { isValidNhsNumber } from './nhs-number.js';

const invalid = (message: string) =>
  new GraphQLError(message, { extensions: { code: ErrorCode.BAD_USER_INPUT } });

function stringInput(typeName: string, check: (value: string) => boolean, rule: string) {
  const parse = (value: unknown): string => {
    if (typeof value !== 'string' || !check(value)) {
      throw invalid(`${typeName} must be ${rule}; got ${JSON.stringify(value)?.slice(0, 40) ?? 'nothing'}.`);
    }
    return value;
  };
  return {
    parseValue: parse,
    parseLiteral: (ast: ValueNode) => parse(ast.kind === Kind.STRING ? ast.value : undefined),
  };
}

const passThroughString = (value: unknown): string => {
  if (typeof value !== 'string') throw new GraphQLError('Expected a string value.');
  return value;
};

export const NhsNumberScalar = new GraphQLScalarType({
  name: 'NhsNumber',
  serialize: passThroughString,
  ...stringInput('NhsNumber', isValidNhsNumber, 'a 10-digit NHS number with a valid Modulus 11 check digit'),
});

const ISO_DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
// Round-trip so impossible dates such as 2010-02-31 are refused rather than rolled over.
const isIsoDate = (v: string) => ISO_DATE.test(v) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v);

export const DateScalar = new GraphQLScalarType({
  name: 'Date',
  serialize: passThroughString,
  ...stringInput('Date', isIsoDate, 'a date in the form YYYY-MM-DD'),
});

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

export const DateTimeScalar = new GraphQLScalarType({
  name: 'DateTime',
  serialize: passThroughString,
  ...stringInput(
    'DateTime',
    (v) => ISO_DATE_TIME.test(v) && !Number.isNaN(Date.parse(v)),
    'an ISO 8601 date-time with offset',
  ),
});

export const scalarResolvers = { NhsNumber: NhsNumberScalar, Date: DateScalar, DateTime: DateTimeScalar };
