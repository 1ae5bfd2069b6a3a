// PATCH /Patient/{id} as patient-patch.yaml describes it: `If-Match: W/"n"` against the record's
// version, `Content-Type: application/json-patch+json`, a body `{ "patches": [...] }` of RFC 6902
// add/replace/remove/test operations applied all-or-nothing, and the version incremented. A
// repeat carrying an X-Request-ID already applied answers the first response again without
// applying it twice (patient-patch.yaml, 503: "re-send ... using the same X-Request-ID"). Like
// the public sandbox, the result is not checked against PDS's business rules.
import type { FhirPatient } from './fixtures.js';
import type { PdsErrorCode } from './fixtures.js';

export interface PatchRequest {
  ifMatch: string | null;
  contentType: string | null;
  body: string | undefined;
}

export type PatchResult =
  { ok: true; patient: FhirPatient } | { ok: false; code: PdsErrorCode; diagnostics: string };

const IF_MATCH = /^W\/"(\d+)"$/;

/** The patched record (a copy, version + 1), or the PDS error code the request earns. */
export function applyPatientPatch(current: FhirPatient, request: PatchRequest): PatchResult {
  const match = request.ifMatch === null ? null : IF_MATCH.exec(request.ifMatch.trim());
  if (match === null)
    return fail('PRECONDITION_FAILED', 'If-Match header is missing or not of the form W/"<version>"');
  if (match[1] !== current.meta.versionId)
    return fail('RESOURCE_VERSION_MISMATCH', 'Resource version supplied does not match actual version');
  if (request.contentType?.split(';')[0]?.trim() !== 'application/json-patch+json')
    return fail(
      'INVALID_VALUE',
      "Invalid value in header 'Content-Type'; expected application/json-patch+json",
    );
  let patches: unknown;
  try {
    patches = (JSON.parse(request.body ?? '') as { patches?: unknown }).patches;
  } catch {
    return fail('INVALID_UPDATE', 'Request body is not JSON');
  }
  if (!Array.isArray(patches) || patches.length === 0)
    return fail('INVALID_UPDATE', "Invalid patch - body has no 'patches'");
  const patient = structuredClone(current) as unknown as Record<string, unknown>;
  for (const [index, patch] of patches.entries()) {
    const problem = applyOperation(patient, patch);
    if (problem !== null) return fail('INVALID_UPDATE', `Invalid patch ${index}: ${problem}`);
  }
  const patched = patient as unknown as FhirPatient;
  patched.meta = { ...patched.meta, versionId: String(Number(current.meta.versionId) + 1) };
  return { ok: true, patient: patched };
}

const fail = (code: PdsErrorCode, diagnostics: string): PatchResult => ({ ok: false, code, diagnostics });

type Container = Record<string, unknown> | unknown[];

/** Applies one operation in place; a description of what is wrong, or null. */
function applyOperation(document: Record<string, unknown>, patch: unknown): string | null {
  if (typeof patch !== 'object' || patch === null) return 'not an object';
  const { op, path, value } = patch as { op?: unknown; path?: unknown; value?: unknown };
  if (typeof path !== 'string' || !path.startsWith('/')) return 'path must be a JSON pointer';
  const segments = path
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const last = segments.pop() as string;
  // The whole resource (and its id) is not PATCHable through a root or /id pointer.
  if (segments.length === 0 && (last === '' || last === 'id' || last === 'resourceType' || last === 'meta'))
    return `${path} cannot be changed`;
  const parent = resolve(document, segments);
  if (parent === undefined) return `no such path ${path}`;
  switch (op) {
    case 'test':
      return JSON.stringify(read(parent, last)) === JSON.stringify(value) ? null : `test failed at ${path}`;
    case 'add':
      return add(parent, last, value) ? null : `cannot add at ${path}`;
    case 'replace':
      if (read(parent, last) === undefined) return `nothing to replace at ${path}`;
      return add(parent, last, value, true) ? null : `cannot replace at ${path}`;
    case 'remove':
      if (read(parent, last) === undefined) return `nothing to remove at ${path}`;
      if (Array.isArray(parent)) parent.splice(Number(last), 1);
      else delete parent[last];
      return null;
    default:
      return `unsupported op ${String(op)}`;
  }
}

function resolve(document: unknown, segments: string[]): Container | undefined {
  let node: unknown = document;
  for (const segment of segments) node = read(node, segment);
  return typeof node === 'object' && node !== null ? (node as Container) : undefined;
}

function read(node: unknown, segment: string): unknown {
  if (Array.isArray(node)) return /^\d+$/.test(segment) ? node[Number(segment)] : undefined;
  if (typeof node === 'object' && node !== null) return (node as Record<string, unknown>)[segment];
  return undefined;
}

function add(parent: Container, segment: string, value: unknown, replace = false): boolean {
  if (Array.isArray(parent)) {
    if (segment === '-' && !replace) return parent.push(value) > 0;
    if (!/^\d+$/.test(segment) || Number(segment) > parent.length) return false;
    parent.splice(Number(segment), replace ? 1 : 0, value);
    return true;
  }
  parent[segment] = value;
  return true;
}
