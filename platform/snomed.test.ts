// SCTIDs: published concept ids pass; every single-digit error and any non-concept partition fails.
import fc from 'fast-check';
import { conceptIdProblem, isSnomedConceptId, sctidCheckDigit } from './snomed.js';

describe('SNOMED CT concept ids', () => {
  it('accepts concept ids from the national payloads, international and UK extension', () => {
    // Peanut - dietary (GP Connect allergies); amoxicillin 500mg capsules (dm+d VMP); a UK extension concept.
    for (const id of ['256349002', '318136009', '886921000000105', '39732311000001104'])
      expect({ id, problem: conceptIdProblem(id) }).toEqual({ id, problem: undefined });
  });

  it('names what is wrong with anything else', () => {
    expect(conceptIdProblem('TBD')).toBe('shape');
    expect(conceptIdProblem('012345')).toBe('shape');
    expect(conceptIdProblem('56966201000001112')).toBe('not-a-concept'); // a description id
    expect(conceptIdProblem('323509005')).toBe('check-digit');
    expect(isSnomedConceptId(undefined)).toBe(false);
    // dm+d's own releases hold ids like this; the terminology server is the judge there.
    expect(conceptIdProblem('8967511000001109')).toBe('check-digit');
    expect(conceptIdProblem('8967511000001109', { checkDigit: false })).toBeUndefined();
  });

  it('makes check digits that pass, and catches every single-digit change', () => {
    const body = fc
      .tuple(
        fc.integer({ min: 1, max: 9 }),
        fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 2, maxLength: 12 }),
      )
      .map(([first, rest]) => `${first}${rest.join('')}`);
    fc.assert(
      fc.property(
        body,
        fc.constantFrom('00', '10'),
        fc.nat(),
        fc.integer({ min: 1, max: 9 }),
        (item, partition, at, delta) => {
          const withoutCheck = `${item}${partition}`;
          const id = `${withoutCheck}${sctidCheckDigit(withoutCheck)}`;
          expect(isSnomedConceptId(id)).toBe(true);
          const position = at % id.length;
          const changed = `${id.slice(0, position)}${(Number(id[position]) + delta) % 10}${id.slice(position + 1)}`;
          expect(isSnomedConceptId(changed)).toBe(false);
        },
      ),
    );
  });
});
