// One validator per value type sent upstream: each accepts its documented shape and nothing that
// could change an upstream URL or header.
import { GraphQLError } from 'graphql';
import {
  checkArgument,
  checkClaim,
  checkReference,
  isUpstreamKey,
  type UpstreamKeyType,
} from './upstream-keys.js';

const HOSTILE = ['', '.', '..', '../x', 'a/b', 'a?b', 'a#b', '%2e%2e', 'a\r\nb', 'a\u0000', ' a', 'a\u2028'];

const valid: Array<[UpstreamKeyType, string[]]> = [
  ['nhsNumber', ['9000000009', '9000000015']], // 9000000015 fails Modulus 11 but PDS serves it
  ['odsCode', ['A81001', 'RBA', 'Y12345']],
  ['ubrn', ['000000070001']],
  ['sctid', ['318136009', '34186711000001102']],
  ['ersServiceId', ['11002']],
  ['fhirId', ['a.b', 'A-1', '...', 'x'.repeat(64)]],
  ['roleId', ['555254240100']],
];

describe.each(valid)('%s', (type, examples) => {
  it.each(examples)('accepts %j', (value) => expect(isUpstreamKey(type, value)).toBe(true));
  it.each(HOSTILE)('refuses %j', (value) => expect(isUpstreamKey(type, value)).toBe(false));
});

describe('refusals by where the value came from', () => {
  const codeOf = (run: () => unknown) => {
    try {
      run();
      return 'accepted';
    } catch (error) {
      return error instanceof GraphQLError ? error.extensions : 'other';
    }
  };
  it('an argument is BAD_USER_INPUT naming it', () =>
    expect(codeOf(() => checkArgument('fhirId', '..', 'appointmentId'))).toEqual({
      code: 'BAD_USER_INPUT',
      argument: 'appointmentId',
    }));
  it('a representation is NOT_FOUND', () =>
    expect(codeOf(() => checkReference('odsCode', '..', 'Organisation'))).toEqual({ code: 'NOT_FOUND' }));
  it('a claim is UNAUTHENTICATED', () =>
    expect(codeOf(() => checkClaim('odsCode', 'A81001\r\n'))).toEqual({ code: 'UNAUTHENTICATED' }));
  it('a FHIR id is at most 64 characters', () => expect(isUpstreamKey('fhirId', 'x'.repeat(65))).toBe(false));
  it('a key that is not a string is refused', () =>
    expect(isUpstreamKey('nhsNumber', 9000000009)).toBe(false));
});
