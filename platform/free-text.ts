// Free text nhs-graph writes to an upstream (an address line, a booking reason) is stored there
// and shown by other systems, on screens and in letters. Characters that are not printable have
// no place in it: controls (CR, LF, TAB, NUL, …) split lines and records, format characters
// (zero-width, bidi overrides) hide or reorder what a reader sees, U+2028/U+2029 are line breaks
// to JavaScript and some parsers, and spaces other than U+0020 look like a space but do not
// match one. Each service may allow less (demographics/mapping.ts for PDS address lines).

/** Other categories (C: control, format, surrogate, private use, unassigned) and non-space separators. */
const NOT_PRINTABLE = /[\p{C}\p{Zl}\p{Zp}]|(?! )\p{Zs}/u;

export function isPrintableText(text: string): boolean {
  return !NOT_PRINTABLE.test(text);
}
