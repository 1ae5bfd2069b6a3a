// Schema change control for the public graph (schema/public.graphql, written by compose.ts).
// The last released schema is the highest version in schema/releases/. Against it:
// - a breaking change (graphql-inspector's BREAKING criticality) needs package.json's major
//   version bumped past the release's, and CHANGELOG.md's section for the new version naming it;
// - a field, argument, input field or enum value may be removed only after a release deprecated
//   it with `@deprecated(reason: "… Removal after YYYY-MM-DD")` and that date has passed;
// - every deprecation in the current schema carries such a date, and one whose date has passed
//   fails the check: remove it (in a major release).
// `--check` (CI) prints every problem and exits 1; `--release` snapshots the current schema as
// package.json's version.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CriticalityLevel, diff, type Change } from '@graphql-inspector/core';
import {
  buildSchema,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  type GraphQLSchema,
} from 'graphql';
import { PROJECT_ROOT } from '../platform/paths.js';

const RELEASES_DIR = join(PROJECT_ROOT, 'schema', 'releases');
const PUBLIC_SCHEMA = join(PROJECT_ROOT, 'schema', 'public.graphql');
const CHANGELOG = join(PROJECT_ROOT, 'CHANGELOG.md');
const REMOVAL_DATE = /Removal after (\d{4}-\d{2}-\d{2})\b/;
const REMOVALS = new Set<string>([
  'FIELD_REMOVED',
  'FIELD_ARGUMENT_REMOVED',
  'INPUT_FIELD_REMOVED',
  'ENUM_VALUE_REMOVED',
]);

export interface SchemaChangeInput {
  released: { version: string; sdl: string };
  currentSdl: string;
  packageVersion: string;
  changelog: string;
  /** `YYYY-MM-DD`; a removal date must be before it. */
  today: string;
}

export interface SchemaChangeReview {
  breaking: Change[];
  problems: string[];
}

function major(version: string): number {
  const match = /^(\d+)\.\d+\.\d+/.exec(version);
  if (!match) throw new Error(`not a semantic version: ${version}`);
  return Number(match[1]);
}

/** Every deprecation in a schema, by coordinate (`Type.field`, `Type.field.arg`, `Enum.VALUE`). */
export function deprecations(schema: GraphQLSchema): Map<string, string> {
  const found = new Map<string, string>();
  const note = (coordinate: string, reason: string | null | undefined) => {
    if (reason !== null && reason !== undefined) found.set(coordinate, reason);
  };
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__')) continue;
    if (isObjectType(type) || isInterfaceType(type))
      for (const field of Object.values(type.getFields())) {
        note(`${type.name}.${field.name}`, field.deprecationReason);
        for (const arg of field.args) note(`${type.name}.${field.name}.${arg.name}`, arg.deprecationReason);
      }
    if (isInputObjectType(type))
      for (const field of Object.values(type.getFields()))
        note(`${type.name}.${field.name}`, field.deprecationReason);
    if (isEnumType(type))
      for (const value of type.getValues()) note(`${type.name}.${value.name}`, value.deprecationReason);
  }
  return found;
}

function changelogSection(changelog: string, version: string): string | undefined {
  const lines = changelog.split('\n');
  const start = lines.findIndex((line) =>
    new RegExp(`^## \\[?v?${version.replace(/\./g, '\\.')}\\]?\\b`).test(line),
  );
  if (start < 0) return undefined;
  const end = lines.findIndex((line, i) => i > start && line.startsWith('## '));
  return lines.slice(start + 1, end < 0 ? undefined : end).join('\n');
}

export async function reviewSchemaChange(input: SchemaChangeInput): Promise<SchemaChangeReview> {
  const releasedSchema = buildSchema(input.released.sdl);
  const currentSchema = buildSchema(input.currentSdl);
  const changes = await diff(releasedSchema, currentSchema);
  const breaking = changes.filter((change) => change.criticality.level === CriticalityLevel.Breaking);
  const problems: string[] = [];

  if (breaking.length > 0) {
    if (major(input.packageVersion) <= major(input.released.version))
      problems.push(
        `${breaking.length} breaking change(s) since ${input.released.version}: bump the major version in package.json (now ${input.packageVersion}) and say why in CHANGELOG.md.`,
      );
    const section = changelogSection(input.changelog, input.packageVersion);
    for (const change of breaking) {
      const coordinate = change.path ?? change.message;
      if (section === undefined || !section.includes(coordinate))
        problems.push(
          `Breaking: ${change.message} CHANGELOG.md's "## ${input.packageVersion}" section must name \`${coordinate}\` and say why.`,
        );
    }
  }

  const releasedDeprecations = deprecations(releasedSchema);
  for (const change of changes.filter((c) => REMOVALS.has(String(c.type)))) {
    const coordinate = change.path ?? '';
    const date = REMOVAL_DATE.exec(releasedDeprecations.get(coordinate) ?? '')?.[1];
    if (date === undefined)
      problems.push(
        `${coordinate} was removed without first being released as @deprecated(reason: "… Removal after YYYY-MM-DD").`,
      );
    else if (date >= input.today)
      problems.push(`${coordinate} was removed before its announced removal date (${date}).`);
  }

  for (const [coordinate, reason] of deprecations(currentSchema)) {
    const date = REMOVAL_DATE.exec(reason)?.[1];
    if (date === undefined)
      problems.push(
        `${coordinate} is deprecated without a date: end its reason with "Removal after YYYY-MM-DD".`,
      );
    else if (date < input.today)
      problems.push(`${coordinate}'s removal date ${date} has passed: remove it in a major release.`);
  }
  return { breaking, problems };
}

function semverParts(version: string): number[] {
  return version.split('.').map(Number);
}

/** The highest version in schema/releases/ (files named `<version>.graphql`). */
export function lastRelease(dir = RELEASES_DIR): { version: string; sdl: string } {
  const versions = readdirSync(dir)
    .filter((file) => /^\d+\.\d+\.\d+\.graphql$/.test(file))
    .map((file) => file.replace(/\.graphql$/, ''))
    .sort((a, b) => {
      const [x, y] = [semverParts(a), semverParts(b)];
      return x[0]! - y[0]! || x[1]! - y[1]! || x[2]! - y[2]!;
    });
  const version = versions.at(-1);
  if (version === undefined) throw new Error(`no released schema in ${dir}`);
  return { version, sdl: readFileSync(join(dir, `${version}.graphql`), 'utf8') };
}

export function packageVersion(): string {
  return (JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string })
    .version;
}

export async function reviewCommittedSchema(
  today = new Date().toISOString().slice(0, 10),
): Promise<SchemaChangeReview> {
  return reviewSchemaChange({
    released: lastRelease(),
    currentSdl: readFileSync(PUBLIC_SCHEMA, 'utf8'),
    packageVersion: packageVersion(),
    changelog: existsSync(CHANGELOG) ? readFileSync(CHANGELOG, 'utf8') : '',
    today,
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--release')) {
    const version = packageVersion();
    const target = join(RELEASES_DIR, `${version}.graphql`);
    const current = readFileSync(PUBLIC_SCHEMA, 'utf8');
    if (existsSync(target) && readFileSync(target, 'utf8') !== current) {
      console.error(
        `schema/releases/${version}.graphql exists and differs: bump the version in package.json first.`,
      );
      process.exit(1);
    }
    writeFileSync(target, current);
    console.log(`Released the public schema as ${version}.`);
  } else {
    const { breaking, problems } = await reviewCommittedSchema();
    for (const problem of problems) console.error(problem);
    if (problems.length > 0) process.exit(1);
    console.log(
      `Public schema checked against the last release (${breaking.length} breaking change(s), all accounted for).`,
    );
  }
}
