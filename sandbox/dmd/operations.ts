// The terminology server's two read operations over the dm+d release, as FHIR R4 answers:
// CodeSystem/$lookup (a Parameters resource) and ValueSet/$expand (a ValueSet with an expansion).
// What is evidenced and what is assumed about the NHS England Terminology Server's shapes is in
// sandbox/README.md ("dm+d").
import { randomUUID } from 'node:crypto';
import { operationOutcome } from '../http-util.js';
import { DMD_SYSTEM, PRODUCT_CLASSES, type DmdConcept, type DmdRelease, type DmdValue } from './release.js';

export interface OperationAnswer {
  status: number;
  body: unknown;
}

/** The code system's name in $lookup answers. */
export const DMD_NAME = 'dm+d';

const fail = (status: number, code: string, diagnostics: string): OperationAnswer => ({
  status,
  body: operationOutcome(code, diagnostics),
});

/** `GET [base]/CodeSystem/$lookup?system=https://dmd.nhs.uk&code=…[&version=…][&property=…]`. */
export function lookup(release: DmdRelease, query: URLSearchParams): OperationAnswer {
  const system = query.get('system');
  const code = query.get('code');
  if (system === null || system === '') return fail(400, 'required', 'Parameter "system" is required');
  if (code === null || code === '') return fail(400, 'required', 'Parameter "code" is required');
  if (query.getAll('system').length > 1 || query.getAll('code').length > 1) {
    return fail(400, 'invalid', 'Parameters "system" and "code" may be given once');
  }
  if (system !== DMD_SYSTEM)
    return fail(404, 'not-found', `Code system ${system} is not known to this server`);
  const version = query.get('version');
  if (version !== null && version !== release.version) {
    return fail(404, 'not-found', `Code system ${system} version ${version} is not known to this server`);
  }
  const concept = release.concepts.get(code);
  if (concept === undefined) {
    return fail(404, 'not-found', `Code ${code} was not found in ${system} version ${release.version}`);
  }
  const wanted = query.getAll('property').flatMap((value) => value.split(','));
  return { status: 200, body: lookupParameters(release, concept, wanted) };
}

/**
 * The $lookup Parameters: name, version, display, then one `property` per value. `parent` holds
 * the concept class (VTM, VMP, …) and each parent concept; `child` each child concept; `inactive`
 * the dm+d INVALID flag; the rest are the dm+d fields, with groups (VPI) as subproperties.
 * `wanted` empty or `*` means every property.
 */
export function lookupParameters(
  release: DmdRelease,
  concept: DmdConcept,
  wanted: readonly string[],
): unknown {
  const all = wanted.length === 0 || wanted.includes('*');
  const include = (code: string) => all || wanted.includes(code);
  const property = (code: string, value: DmdValue) => ({
    name: 'property',
    part: [
      { name: 'code', valueCode: code },
      { name: 'value', ...fhirValue(value) },
    ],
  });
  const parameter: unknown[] = [
    { name: 'name', valueString: DMD_NAME },
    { name: 'version', valueString: release.version },
    { name: 'display', valueString: concept.display },
  ];
  if (include('parent')) {
    for (const code of [concept.class, ...concept.parents])
      parameter.push(property('parent', { type: 'code', code }));
  }
  if (include('child')) {
    for (const code of concept.children) parameter.push(property('child', { type: 'code', code }));
  }
  if (include('inactive')) parameter.push(property('inactive', { type: 'boolean', value: concept.inactive }));
  for (const item of concept.properties) {
    if (!include(item.code)) continue;
    if (item.value !== undefined) {
      parameter.push(property(item.code, item.value));
      continue;
    }
    parameter.push({
      name: 'property',
      part: [
        { name: 'code', valueCode: item.code },
        ...(item.subproperties ?? []).map((sub) => ({
          name: 'subproperty',
          part: [
            { name: 'code', valueCode: sub.code },
            { name: 'value', ...fhirValue(sub.value) },
          ],
        })),
      ],
    });
  }
  return { resourceType: 'Parameters', parameter };
}

function fhirValue(value: DmdValue): Record<string, unknown> {
  switch (value.type) {
    case 'code':
      return { valueCode: value.code };
    case 'coding': {
      const { system, code, display } = value;
      return { valueCoding: { system, code, ...(display === undefined ? {} : { display }) } };
    }
    case 'decimal':
      return { valueDecimal: value.value };
    case 'string':
      return { valueString: value.value };
    case 'boolean':
      return { valueBoolean: value.value };
  }
}

/** The value sets $expand serves: every concept (`?fhir_vs`), or one class's (`/ValueSet/VMP`, …). */
function valueSetClasses(url: string): ReadonlySet<string> | 'all' | null {
  if (url === `${DMD_SYSTEM}?fhir_vs`) return 'all';
  const cls = url.startsWith(`${DMD_SYSTEM}/ValueSet/`) ? url.slice(`${DMD_SYSTEM}/ValueSet/`.length) : null;
  return cls !== null && (PRODUCT_CLASSES as readonly string[]).includes(cls) ? new Set([cls]) : null;
}

const MAX_COUNT = 1000;

/**
 * `GET [base]/ValueSet/$expand?url=https://dmd.nhs.uk?fhir_vs&filter=…&count=…&offset=…&activeOnly=…`.
 * `filter` matches when every word of it starts a word of the display (case and punctuation
 * ignored); matches are ordered shortest display first, then alphabetically.
 */
export function expand(release: DmdRelease, query: URLSearchParams): OperationAnswer {
  const url = query.get('url');
  if (url === null || url === '') return fail(400, 'required', 'Parameter "url" is required');
  const classes = valueSetClasses(url);
  if (classes === null) return fail(404, 'not-found', `Value set ${url} is not known to this server`);
  const count = wholeNumber(query.get('count'), MAX_COUNT);
  const offset = wholeNumber(query.get('offset'), Number.MAX_SAFE_INTEGER);
  if (count === null)
    return fail(400, 'invalid', `Parameter "count" must be a whole number from 0 to ${MAX_COUNT}`);
  if (offset === null) return fail(400, 'invalid', 'Parameter "offset" must be a whole number from 0');
  const activeOnly = query.get('activeOnly');
  if (activeOnly !== null && activeOnly !== 'true' && activeOnly !== 'false') {
    return fail(400, 'invalid', 'Parameter "activeOnly" must be true or false');
  }
  const filter = query.get('filter') ?? '';
  const terms = words(filter);
  const matches = [...release.concepts.values()]
    .filter((concept) => classes === 'all' || classes.has(concept.class))
    .filter((concept) => activeOnly !== 'true' || !concept.inactive)
    .filter((concept) => {
      const own = words(concept.display);
      return terms.every((term) => own.some((word) => word.startsWith(term)));
    })
    .sort((a, b) => a.display.length - b.display.length || a.display.localeCompare(b.display));
  const from = offset ?? 0;
  const page = matches.slice(from, count === undefined ? undefined : from + count);
  const parameter = [
    { name: 'used-codesystem', valueUri: `${DMD_SYSTEM}|${release.version}` },
    ...(filter === '' ? [] : [{ name: 'filter', valueString: filter }]),
    ...(count === undefined ? [] : [{ name: 'count', valueInteger: count }]),
    { name: 'offset', valueInteger: from },
  ];
  return {
    status: 200,
    body: {
      resourceType: 'ValueSet',
      url,
      status: 'active',
      expansion: {
        identifier: `urn:uuid:${randomUUID()}`,
        timestamp: new Date().toISOString(),
        total: matches.length,
        offset: from,
        parameter,
        ...(page.length === 0
          ? {}
          : {
              contains: page.map((concept) => ({
                system: DMD_SYSTEM,
                ...(concept.inactive ? { inactive: true } : {}),
                code: concept.code,
                display: concept.display,
              })),
            }),
      },
    },
  };
}

/** Undefined when absent; null when not a whole number from 0 to `max`. */
function wholeNumber(raw: string | null, max: number): number | undefined | null {
  if (raw === null) return undefined;
  if (!/^\d{1,16}$/.test(raw)) return null;
  const value = Number(raw);
  return value <= max ? value : null;
}

const words = (text: string): string[] =>
  text
    .toLowerCase()
    .split(/[^a-z0-9.%]+/)
    .filter((word) => word !== '');
