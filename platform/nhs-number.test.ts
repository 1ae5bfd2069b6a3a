import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { isValidNhsNumber, nhsNumberCheckDigit } from './nhs-number.js';

const nineDigits = fc.stringMatching(/^\d{9}$/);

describe('isValidNhsNumber', () => {
  it('accepts the published PDS sandbox numbers', () => {
    for (const n of ['9000000009', '9000000025', '9000000033', '9111231130']) {
      expect(isValidNhsNumber(n)).toBe(true);
    }
  });

  it('rejects sandbox 9000000015, which fails Modulus 11 (APIS.md caveat)', () => {
    expect(isValidNhsNumber('9000000015')).toBe(false);
  });

  it('rejects anything that is not exactly ten digits', () => {
    for (const n of ['', '900000000', '90000000099', '900 000 0009', '90000000O9', ' 9000000009']) {
      expect(isValidNhsNumber(n)).toBe(false);
    }
  });

  it('agrees with the compiled test numbers and their computed check results', () => {
    const rows = readFileSync(
      new URL('../sandbox/fixtures/nhs-number/_compiled_test_nhs_numbers.csv', import.meta.url),
      'utf8',
    )
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.split(','));
    expect(rows.length).toBeGreaterThan(40);
    for (const [nhsNumber, check] of rows) {
      expect([nhsNumber, isValidNhsNumber(nhsNumber ?? '')]).toEqual([nhsNumber, check === 'valid']);
    }
  });

  it('accepts every number built from nine digits and its check digit', () => {
    fc.assert(
      fc.property(nineDigits, (first) => {
        const check = nhsNumberCheckDigit(first);
        fc.pre(check !== null);
        return isValidNhsNumber(`${first}${check}`);
      }),
    );
  });

  it('rejects a valid number with any single digit changed', () => {
    fc.assert(
      fc.property(
        nineDigits,
        fc.integer({ min: 0, max: 9 }),
        fc.integer({ min: 1, max: 9 }),
        (first, pos, delta) => {
          const check = nhsNumberCheckDigit(first);
          fc.pre(check !== null);
          const digits = `${first}${check}`.split('').map(Number);
          digits[pos] = ((digits[pos] ?? 0) + delta) % 10;
          return !isValidNhsNumber(digits.join(''));
        },
      ),
    );
  });

  it('rejects every number whose check computes to 10', () => {
    fc.assert(
      fc.property(nineDigits, fc.integer({ min: 0, max: 9 }), (first, last) => {
        fc.pre(nhsNumberCheckDigit(first) === null);
        return !isValidNhsNumber(`${first}${last}`);
      }),
    );
  });
});
