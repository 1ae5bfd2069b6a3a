// What may go into a trace. Span attributes leave the process (to any OTLP collector), so they
// carry no patient identifier, token, query variable or GraphQL text: a URL is reduced to its
// path template ("/Patient/{id}") before it becomes an attribute, and anything else that could
// hold an identifier is dropped rather than guessed at.

/** Stands in for a path segment that identifies something (a patient, a resource, a request). */
export const REDACTED_SEGMENT = '{id}';

/**
 * A segment is kept only when it looks like a FHIR resource type or a fixed path word:
 * letters (and `$`, `_`, `-` for operations such as `$everything`) and no digit. Every other
 * segment — an NHS number, a UUID, an opaque id — becomes `{id}`. Over-redacting an ODS code
 * costs a little detail; under-redacting an NHS number would be a breach.
 */
const FIXED_SEGMENT = /^[$_]?[A-Za-z][A-Za-z_-]*$/;
/** An API version segment such as `R4`, `v1` or `STU3`: too short to be an identifier. */
const VERSION_SEGMENT = /^[A-Za-z]{1,3}\d{1,2}$/;

/** The path of a URL or path with each identifying segment replaced: safe as `url.path`. */
export function pathTemplate(pathOrUrl: string): string {
  const path = pathOf(pathOrUrl);
  return path
    .split('/')
    .map((segment) => (segment === '' || isFixed(safeDecode(segment)) ? segment : REDACTED_SEGMENT))
    .join('/');
}

/**
 * A URL safe to record as `url.full`: scheme, host and port kept; path reduced to its template;
 * query, fragment and credentials dropped (a FHIR search query names the patient).
 */
export function scrubUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return pathTemplate(url);
  }
  return `${parsed.protocol}//${parsed.host}${pathTemplate(parsed.pathname)}`;
}

/** Attribute keys whose values are URLs or paths, as the HTTP instrumentations name them. */
const URL_KEYS = new Set(['url.full', 'url.path', 'http.url', 'http.target', 'http.route', 'url.original']);
/** Attribute keys never exported: they carry query text, variables, queries or credentials. */
const DROPPED_KEYS = new Set([
  'url.query',
  'graphql.document',
  'graphql.source',
  'graphql.variables',
  'http.request.header.authorization',
  'http.request.header.cookie',
]);

/**
 * Attributes as they may be exported: URL-like values templated, dangerous keys removed, and any
 * remaining string that contains a 10-digit run (an NHS number's shape) or a bearer token redacted.
 */
export function scrubAttributes<T>(attributes: Record<string, T>): Record<string, T | string> {
  const safe: Record<string, T | string> = {};
  for (const [key, value] of Object.entries(attributes)) {
    if (
      DROPPED_KEYS.has(key) ||
      key.startsWith('graphql.variables') ||
      /header\.(authorization|cookie)/i.test(key)
    )
      continue;
    if (typeof value !== 'string') {
      safe[key] = value;
    } else if (URL_KEYS.has(key)) {
      safe[key] = key === 'url.full' || key === 'http.url' ? scrubUrl(value) : pathTemplate(value);
    } else {
      safe[key] = redactIdentifiers(value);
    }
  }
  return safe;
}

/** Free text with NHS-number-shaped digit runs and bearer/JWT-shaped tokens replaced. */
export function redactIdentifiers(text: string): string {
  return text
    .replace(/\b\d{3}[ -]?\d{3}[ -]?\d{4}\b/g, REDACTED_SEGMENT)
    .replace(/\bBearer\s+\S+/gi, 'Bearer [redacted]')
    .replace(/\beyJ[\w-]+\.[\w-]+\.[\w-]*/g, '[redacted]');
}

function pathOf(pathOrUrl: string): string {
  const cut = pathOrUrl.search(/[?#]/);
  const withoutQuery = cut === -1 ? pathOrUrl : pathOrUrl.slice(0, cut);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(withoutQuery)) {
    try {
      return new URL(withoutQuery).pathname;
    } catch {
      return REDACTED_SEGMENT;
    }
  }
  return withoutQuery;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function isFixed(segment: string): boolean {
  return FIXED_SEGMENT.test(segment) || VERSION_SEGMENT.test(segment);
}
