// The pure parts of speculative entity fetches: which root fetches name their entities' keys,
// which entity fetches depend on nothing else, and which operations share a shape. The plugin end
// to end is in test/speculative-fetches.e2e.test.ts.
import { parse } from 'graphql';
import { keyedBy, operationShape, rootKeys } from './speculative-fetches.js';

describe('rootKeys', () => {
  it('reads each root field’s one argument, from variables or literals, in order', () => {
    const document = parse(
      'query ($_v0_nhsNumber: NhsNumber!) { _v0_patient: patient(nhsNumber: $_v0_nhsNumber) { nhsNumber } b: patient(nhsNumber: "9000000017") { nhsNumber } }',
    );
    expect(rootKeys(document, { _v0_nhsNumber: '9000000009' })).toEqual([
      { argument: 'nhsNumber', value: '9000000009' },
      { argument: 'nhsNumber', value: '9000000017' },
    ]);
  });

  it('is null for mutations, for root fields without exactly one string argument, and for fragments', () => {
    expect(rootKeys(parse('mutation { patient(nhsNumber: "9000000009") { nhsNumber } }'), {})).toBeNull();
    expect(rootKeys(parse('{ searchPatients(family: "SMITH", gender: FEMALE) { score } }'), {})).toBeNull();
    expect(rootKeys(parse('{ me { kind } }'), {})).toBeNull();
    expect(rootKeys(parse('{ medicines(limit: 5) { code } }'), {})).toBeNull();
    expect(
      rootKeys(parse('{ ... on Query { patient(nhsNumber: "9000000009") { nhsNumber } } }'), {}),
    ).toBeNull();
    expect(rootKeys(parse('query ($n: NhsNumber) { patient(nhsNumber: $n) { nhsNumber } }'), {})).toBeNull();
    expect(
      rootKeys(parse('{ patient(nhsNumber: "9000000009") @include(if: true) { nhsNumber } }'), {}),
    ).toBeNull();
  });
});

describe('keyedBy', () => {
  const keys = [
    { argument: 'nhsNumber', value: '9000000009' },
    { argument: 'nhsNumber', value: '9000000017' },
  ];

  it('gives each representation’s typename and root key when they are exactly the root keys, in any order', () => {
    // The JavaScript planner keeps the root fields' order ...
    expect(
      keyedBy(
        [
          { __typename: 'Patient', nhsNumber: '9000000009' },
          { __typename: 'Patient', nhsNumber: '9000000017' },
        ],
        keys,
      ),
    ).toEqual([
      { typename: 'Patient', key: 0 },
      { typename: 'Patient', key: 1 },
    ]);
    // ... the Rust planner's batch fetch may list them the other way round.
    expect(
      keyedBy(
        [
          { __typename: 'Patient', nhsNumber: '9000000017' },
          { __typename: 'Patient', nhsNumber: '9000000009' },
        ],
        keys,
      ),
    ).toEqual([
      { typename: 'Patient', key: 1 },
      { typename: 'Patient', key: 0 },
    ]);
  });

  it('uses each root key once, so the same number asked twice is two keys', () => {
    const twice = [keys[0], keys[0]] as typeof keys;
    const representation = { __typename: 'Patient', nhsNumber: '9000000009' };
    expect(keyedBy([representation, representation], twice)).toEqual([
      { typename: 'Patient', key: 0 },
      { typename: 'Patient', key: 1 },
    ]);
    // Deduplicated by the planner: one representation for two keys is not keyed by the query alone.
    expect(keyedBy([representation], twice)).toBeNull();
  });

  it('is null when the representations hold anything the query did not name, or leave a key out', () => {
    // A key used twice, a missing patient, an extra field, another type's key, not a list.
    expect(
      keyedBy(
        [
          { __typename: 'Patient', nhsNumber: '9000000009' },
          { __typename: 'Patient', nhsNumber: '9000000009' },
        ],
        keys,
      ),
    ).toBeNull();
    expect(keyedBy([{ __typename: 'Patient', nhsNumber: '9000000009' }], keys)).toBeNull();
    expect(
      keyedBy(
        [
          { __typename: 'Patient', nhsNumber: '9000000009', restricted: false },
          { __typename: 'Patient', nhsNumber: '9000000017' },
        ],
        keys,
      ),
    ).toBeNull();
    expect(
      keyedBy(
        [
          { __typename: 'Organisation', odsCode: 'Y12345' },
          { __typename: 'Organisation', odsCode: 'A20047' },
        ],
        keys,
      ),
    ).toBeNull();
    expect(
      keyedBy(
        [
          { __typename: 'Patient', nhsNumber: '9000000009' },
          { __typename: 'Patient', nhsNumber: '9000000025' },
        ],
        keys,
      ),
    ).toBeNull();
    expect(keyedBy('not a list', keys)).toBeNull();
  });
});

describe('operationShape', () => {
  const summary = (nhsNumber: string) =>
    parse(
      `{ patient(nhsNumber: "${nhsNumber}") { nhsNumber allergies(includeEnded: true) { ended { items { code { code } } } } } }`,
    );

  it('is the same for the same query about another patient, and keeps nested arguments', () => {
    const shape = operationShape(summary('9000000009'), null);
    expect(shape).not.toBeNull();
    expect(operationShape(summary('9000000017'), null)).toBe(shape);
    expect(shape).toContain('includeEnded: true');
    expect(shape).not.toContain('9000000009');
    const otherSelection = parse('{ patient(nhsNumber: "9000000009") { nhsNumber } }');
    expect(operationShape(otherSelection, null)).not.toBe(shape);
  });

  it('picks the named operation, and is null for mutations and unkeyed roots', () => {
    const document = parse(
      'query A { patient(nhsNumber: "9000000009") { nhsNumber } } mutation B { updatePatientAddress(input: {}) { nhsNumber } }',
    );
    expect(operationShape(document, 'A')).toContain('query A');
    expect(operationShape(document, 'B')).toBeNull();
    expect(operationShape(document, null)).toBeNull();
    expect(operationShape(parse('{ me { kind } }'), null)).toBeNull();
  });
});
