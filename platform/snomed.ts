// SNOMED CT identifiers (SCTIDs, SNOMED CT Technical Implementation Guide, "SCTID"): 6 to 18
// digits with no leading zero; the last digit is a Verhoeff check digit, and the two before it
// the partition: `00` a concept in the international edition, `10` a concept in an extension
// (such as the UK drug extension, where dm+d codes live); other partitions are descriptions or
// relationships. One check for every subgraph that reads or accepts a SNOMED CT code.

/** The shape of an SCTID, check digit and partition aside (platform/upstream-keys.ts uses it for keys). */
export const SCTID_SHAPE = /^[1-9][0-9]{5,17}$/;

const VERHOEFF_D = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
  [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
  [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
  [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
  [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
  [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
  [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
  [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
  [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
];
const VERHOEFF_P = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
  [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
  [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
  [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
  [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
  [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
  [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
];
const VERHOEFF_INV = [0, 4, 3, 2, 1, 5, 6, 7, 8, 9];

function verhoeff(digits: string, offset: number): number {
  let check = 0;
  [...digits].reverse().forEach((digit, i) => {
    check = VERHOEFF_D[check]![VERHOEFF_P[(i + offset) % 8]![Number(digit)]!]!;
  });
  return check;
}

/** The Verhoeff check digit for an SCTID's other digits (to make test ids and examples). */
export function sctidCheckDigit(withoutCheck: string): number {
  return VERHOEFF_INV[verhoeff(withoutCheck, 1)]!;
}

/** Why a string is not a SNOMED CT concept id, or undefined when it is one. */
export type SctidProblem = 'shape' | 'not-a-concept' | 'check-digit';

/**
 * `checkDigit: false` where a terminology server is the judge: the dm+d releases in the shared
 * fixtures carry VMPP and AMPP ids whose Verhoeff digit does not hold (e.g. 8967511000001109),
 * and the terminology server answers for them, so refusing them would hide real medicines.
 */
export function conceptIdProblem(code: string, { checkDigit = true } = {}): SctidProblem | undefined {
  if (!SCTID_SHAPE.test(code)) return 'shape';
  const partition = code.slice(-3, -1);
  if (partition !== '00' && partition !== '10') return 'not-a-concept';
  return !checkDigit || verhoeff(code, 0) === 0 ? undefined : 'check-digit';
}

export function isSnomedConceptId(
  code: string | undefined,
  options?: { checkDigit?: boolean },
): code is string {
  return code !== undefined && conceptIdProblem(code, options) === undefined;
}
