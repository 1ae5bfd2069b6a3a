// NHS number validation: 10 digits, Modulus 11 check digit (NHS Data Dictionary).
// Weights 10..2 on the first nine digits; check = 11 - (sum mod 11); 11 -> 0; 10 -> invalid.

/** The shape of an NHS number, check digit aside (platform/upstream-keys.ts uses it for keys from upstreams). */
export const TEN_DIGITS = /^\d{10}$/;

/** The check digit for nine leading digits, or null when no valid number can start with them. */
export function nhsNumberCheckDigit(firstNine: string): number | null {
  let sum = 0;
  for (let i = 0; i < 9; i += 1) sum += Number(firstNine[i]) * (10 - i);
  const check = 11 - (sum % 11);
  if (check === 11) return 0;
  if (check === 10) return null;
  return check;
}

export function isValidNhsNumber(value: string): boolean {
  if (!TEN_DIGITS.test(value)) return false;
  return nhsNumberCheckDigit(value.slice(0, 9)) === Number(value[9]);
}
