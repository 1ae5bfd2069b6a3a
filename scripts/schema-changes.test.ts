// Schema change control: the committed public schema against its last release, and the rules on
// small schemas (graphql-inspector decides what is breaking).
import { reviewCommittedSchema, reviewSchemaChange, type SchemaChangeInput } from './schema-changes.js';

const RELEASED = `
  type Query { patient(nhsNumber: String!): Patient }
  type Patient {
    nhsNumber: String!
    name: String
    oldName: String @deprecated(reason: "Use name. Removal after 2026-06-30")
    laterName: String @deprecated(reason: "Use name. Removal after 2027-06-30")
  }
  enum Status { ACTIVE INACTIVE }
`;

const input = (overrides: Partial<SchemaChangeInput>): SchemaChangeInput => ({
  released: { version: '1.2.0', sdl: RELEASED },
  currentSdl: RELEASED,
  packageVersion: '1.3.0',
  changelog: '# Changelog\n',
  today: '2026-06-01',
  ...overrides,
});

const without = (sdl: string, line: string) => sdl.replace(line, '');

describe('schema change control', () => {
  it('accepts the committed public schema against the last release', async () => {
    expect((await reviewCommittedSchema()).problems).toEqual([]);
  });

  it('accepts an additive change without a version bump', async () => {
    const currentSdl = RELEASED.replace('name: String\n', 'name: String\n    gender: String\n');
    const review = await reviewSchemaChange(input({ currentSdl }));
    expect(review).toEqual({ breaking: [], problems: [] });
  });

  it('refuses a breaking change without a major bump and a CHANGELOG entry naming it', async () => {
    const currentSdl = RELEASED.replace('enum Status { ACTIVE INACTIVE }', 'enum Status { ACTIVE }');
    const review = await reviewSchemaChange(input({ currentSdl, packageVersion: '1.3.0' }));
    expect(review.breaking.map((change) => change.path)).toEqual(['Status.INACTIVE']);
    expect(review.problems).toEqual([
      expect.stringMatching(/bump the major version in package.json \(now 1\.3\.0\)/),
      expect.stringMatching(/section must name `Status.INACTIVE`/),
      expect.stringMatching(/Status.INACTIVE was removed without first being released as @deprecated/),
    ]);
  });

  it('accepts the removal of a deprecated field after its date, in a major release the CHANGELOG explains', async () => {
    const currentSdl = without(
      RELEASED,
      'oldName: String @deprecated(reason: "Use name. Removal after 2026-06-30")',
    );
    const changelog =
      '# Changelog\n\n## 2.0.0\n\n- Removed `Patient.oldName` (deprecated since 1.1.0): use `name`.\n';
    const review = await reviewSchemaChange(
      input({ currentSdl, packageVersion: '2.0.0', changelog, today: '2026-07-01' }),
    );
    expect(review.breaking.map((change) => change.path)).toEqual(['Patient.oldName']);
    expect(review.problems).toEqual([]);
  });

  it('refuses a removal before its announced date, even in a major release', async () => {
    const currentSdl = without(
      RELEASED,
      'laterName: String @deprecated(reason: "Use name. Removal after 2027-06-30")',
    );
    const changelog = '## 2.0.0\n- `Patient.laterName` removed early.\n';
    const review = await reviewSchemaChange(input({ currentSdl, packageVersion: '2.0.0', changelog }));
    expect(review.problems).toEqual([
      'Patient.laterName was removed before its announced removal date (2027-06-30).',
    ]);
  });

  it('fails once a deprecated field outlives its removal date, and on a deprecation without a date', async () => {
    const review = await reviewSchemaChange(input({ today: '2027-07-01' }));
    expect(review.problems).toEqual([
      "Patient.oldName's removal date 2026-06-30 has passed: remove it in a major release.",
      "Patient.laterName's removal date 2027-06-30 has passed: remove it in a major release.",
    ]);
    const undated = RELEASED.replace('name: String\n', 'name: String @deprecated(reason: "Use fullName.")\n');
    expect((await reviewSchemaChange(input({ currentSdl: undated, today: '2026-01-01' }))).problems).toEqual([
      'Patient.name is deprecated without a date: end its reason with "Removal after YYYY-MM-DD".',
    ]);
  });
});
