// String matching for PDS search: case-insensitive equality, `*` wildcards and Soundex.
// patient-search.yaml: names and postcodes are "Not case sensitive"; postcode "Spaces are ignored";
// fuzzy search "matches common homophones, such as Smith and Smythe, using the Soundex algorithm".

/** Case-folded; for fuzzy mode also without diacritics (PÀULINÉ ~ Pauline, karate "Unicode search"). */
export function fold(value: string, stripDiacritics = false): string {
  const lower = value.trim().toLowerCase();
  return stripDiacritics ? lower.normalize('NFD').replace(/\p{M}/gu, '') : lower;
}

export function foldPostcode(value: string): string {
  return value.replace(/\s+/g, '').toUpperCase();
}

/** `Sm*t*` matches from the start of the value; `*` stands for any run of characters. */
export function wildcardMatches(pattern: string, value: string): boolean {
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`).test(value);
}

const SOUNDEX_CODES: Record<string, string> = {
  b: '1',
  f: '1',
  p: '1',
  v: '1',
  c: '2',
  g: '2',
  j: '2',
  k: '2',
  q: '2',
  s: '2',
  x: '2',
  z: '2',
  d: '3',
  t: '3',
  l: '4',
  m: '5',
  n: '5',
  r: '6',
};

/** American Soundex (the algorithm patient-search.yaml names): Smith, Smyth and Smythe are all S530. */
export function soundex(value: string): string {
  const letters = fold(value, true).replace(/[^a-z]/g, '');
  const first = letters[0];
  if (first === undefined) return '';
  let code = first.toUpperCase();
  let previous = SOUNDEX_CODES[first] ?? '';
  for (const letter of letters.slice(1)) {
    const digit = SOUNDEX_CODES[letter] ?? '';
    if (digit !== '' && digit !== previous) code += digit;
    // h and w do not separate equal codes; vowels do.
    if (letter !== 'h' && letter !== 'w') previous = digit;
    if (code.length === 4) break;
  }
  return code.padEnd(4, '0');
}
