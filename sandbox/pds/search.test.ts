import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { startSandbox, type Sandbox } from '../server.js';
import { generatePeople } from '../synthetic.js';
import { FhirPatientSchema } from './fixtures.js';
import { toSearchResource } from './patient-resource.js';
import { soundex } from './text-match.js';

const PDS = '/personal-demographics/FHIR/R4';
const FIXTURES = new URL('../fixtures/pds/', import.meta.url);
const KARATE = 'karate-tests/src/test/java/mocks/stubs/';
const fixture = (path: string): unknown => JSON.parse(readFileSync(new URL(path, FIXTURES), 'utf8'));

interface Entry {
  fullUrl: string;
  search: { score: number };
  resource: Record<string, unknown> & { id: string };
}
interface Answer {
  status: number;
  body: { resourceType: string; total?: number; entry?: Entry[]; timestamp?: string; issue?: unknown };
}

describe('PDS GET /Patient (search)', () => {
  let sandbox: Sandbox;
  const people = generatePeople();
  beforeAll(async () => {
    sandbox = await startSandbox(0);
  });
  afterAll(() => sandbox.close());

  async function search(query: string): Promise<Answer> {
    const res = await fetch(`${sandbox.url}${PDS}/Patient?${query}`, {
      headers: { 'X-Request-ID': randomUUID() },
    });
    expect(res.headers.get('content-type')).toBe('application/fhir+json');
    return { status: res.status, body: (await res.json()) as Answer['body'] };
  }
  const ids = (answer: Answer): string[] => (answer.body.entry ?? []).map((e) => e.resource.id);
  const errorOf = (answer: Answer): { code: string | undefined; diagnostics?: string } => {
    const issue = (
      answer.body.issue as { details: { coding: { code: string }[] }; diagnostics?: string }[]
    )[0];
    return {
      code: issue?.details.coding[0]?.code,
      ...(issue?.diagnostics ? { diagnostics: issue.diagnostics } : {}),
    };
  };

  it('returns a searchset Bundle like the published one, exact match scoring 1', async () => {
    const answer = await search('family=Smith&gender=female&birthdate=eq2010-10-22');
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ resourceType: 'Bundle', type: 'searchset', total: 1 });
    expect(answer.body.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$/);
    const published = fixture('sandbox/mocks/PatientSearch.json') as { entry: Entry[] };
    expect(answer.body.entry).toEqual([{ ...published.entry[0], search: { score: 1 } }]);
  });

  it('projects search results exactly as the published search payloads do', () => {
    for (const [full, searched] of [
      ['sandbox/mocks/Patient.json', 'sandbox/mocks/PatientSearch.json'],
      ['sandbox/mocks/Patient-Jayne-Smyth.json', 'sandbox/mocks/PatientSearch-Jayne-Smyth.json'],
    ] as const) {
      const published = fixture(searched) as { entry: Entry[] };
      expect(toSearchResource(FhirPatientSchema.parse(fixture(full)))).toEqual(published.entry[0]?.resource);
    }
  });

  it('ranks best first: exact 1.0, homophones lower in a fuzzy search', async () => {
    const answer = await search(
      'family=Smith&given=Jane&gender=female&birthdate=eq2010-10-22&_fuzzy-match=true',
    );
    expect(ids(answer).slice(0, 2)).toEqual(['9000000009', '9000000017']); // Smith/Jane, then Smyth/Jayne
    const scores = (answer.body.entry ?? []).map((e) => e.search.score);
    expect(scores[0]).toBe(1);
    expect(scores[1]).toBeLessThan(1);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    expect(answer.body.total).toBe(scores.length);
    for (const entry of answer.body.entry ?? []) {
      expect(entry.fullUrl).toBe(
        `https://api.service.nhs.uk/personal-demographics/FHIR/R4/Patient/${entry.resource.id}`,
      );
    }
  });

  it('scores wildcard matches below 1 and `_exact-match` drops them', async () => {
    const wildcard = await search('family=Sm*&gender=female&birthdate=eq2010-10-22');
    expect(ids(wildcard)).toEqual(expect.arrayContaining(['9000000009', '9000000017']));
    for (const entry of wildcard.body.entry ?? []) expect(entry.search.score).toBeLessThan(1);
    const exact = await search('family=Sm*&gender=female&birthdate=eq2010-10-22&_exact-match=true');
    expect(exact.body).toEqual({
      resourceType: 'Bundle',
      type: 'searchset',
      timestamp: expect.any(String),
      total: 0,
    });
  });

  it('returns restricted patients without address, telecom, contact or GP', async () => {
    const answer = await search('family=Sm*&gender=female&birthdate=eq2010-10-22');
    const restricted = answer.body.entry?.find((e) => e.resource.id === '9000000025');
    expect(restricted?.resource['meta']).toMatchObject({ security: [{ code: 'R' }] });
    for (const field of ['address', 'telecom', 'contact', 'generalPractitioner']) {
      expect(restricted?.resource).not.toHaveProperty(field);
    }
  });

  it('never returns restricted patients when searching by postcode or GP, even on a match', async () => {
    const restricted = people.find((p) => p.restricted);
    const open = people.find((p) => !p.restricted);
    if (restricted === undefined || open === undefined) throw new Error('seed 42 has both kinds');
    const base = (p: typeof restricted): string =>
      `family=${encodeURIComponent(p.family)}&birthdate=eq${p.birthDate}`;
    const postcode = (p: typeof restricted): string =>
      `&address-postcode=${encodeURIComponent(p.address.postalCode)}`;

    expect(ids(await search(base(restricted)))).toContain(restricted.nhsNumber);
    // PDS still matches on the location data it holds (here the phone) but never returns it.
    expect(ids(await search(`${base(restricted)}&phone=${restricted.phone}`))).toContain(
      restricted.nhsNumber,
    );
    expect(ids(await search(base(restricted) + postcode(restricted)))).not.toContain(restricted.nhsNumber);
    const byGp = `${base(restricted)}&general-practitioner=${restricted.gp.odsCode}`;
    expect(ids(await search(byGp))).not.toContain(restricted.nhsNumber);
    expect(ids(await search(base(open) + postcode(open)))).toContain(open.nhsNumber); // the control
  });

  it('answers more matches than _max-results with TOO_MANY_MATCHES (200, published payload)', async () => {
    const answer = await search('family=Smith&birthdate=ge1900-01-01&_max-results=1');
    expect(answer.status).toBe(200); // patient-search.yaml lists TOO_MANY_MATCHES under 200
    expect(answer.body).toEqual(fixture(`${KARATE}searchResponses/TOO_MANY_MATCHES.json`));
    expect(fixture('tests/functional/data/responses/too_many_matches.json')).toEqual(answer.body);
  });

  it('searches previous names only with _history (returning current data)', async () => {
    expect((await search('family=Killen&birthdate=eq1936-06-21')).body.total).toBe(0);
    const history = await search('family=Killen&birthdate=eq1936-06-21&_history=true');
    expect(ids(history)).toEqual(['9732110317']);
    expect(history.body.entry?.[0]?.search.score).toBeLessThan(1);
    expect(history.body.entry?.[0]?.resource['name']).toEqual([
      expect.objectContaining({ family: 'Sanderson' }),
    ]);
  });

  it('matches postcodes ignoring case and spaces, with wildcards', async () => {
    const base = 'family=Smith&gender=female&birthdate=eq2010-10-22';
    expect(ids(await search(`${base}&address-postcode=ls16ae`))).toEqual(['9000000009']);
    expect(ids(await search(`${base}&address-postalcode=LS1*`))).toEqual(['9000000009']);
  });

  it.each([
    ['', 'UNSUPPORTED_SERVICE', undefined],
    [
      'family=Smith',
      'MISSING_VALUE',
      "Missing value - 'birth_date/birth_date_range_start/birth_date_range_end'",
    ],
    [
      'birthdate=eq2010-10-22&gender=female',
      'INVALID_SEARCH_DATA',
      "Invalid search data provided - 'No searches were performed as the search criteria did not meet the minimum requirements'",
    ],
    [
      'given=Jane&birthdate=eq2010-10-22&_fuzzy-match=true',
      'INVALID_SEARCH_DATA',
      "Invalid search data provided - 'No searches were performed as the search criteria did not meet the minimum requirements'",
    ],
    [
      'family=Smith&birthdate=eq2010-10-22&invalidParam=123',
      'ADDITIONAL_PROPERTIES',
      "Invalid request with error - Additional properties are not allowed ('invalidParam' was unexpected)",
    ],
    [
      'family=Smith&birthdate=2010-13-45',
      'INVALID_VALUE',
      "Invalid value - '2010-13-45' in field 'birthdate'",
    ],
    [
      'family=Smith&birthdate=22/10/2010',
      'INVALID_VALUE',
      "Invalid value - '22/10/2010' in field 'birthdate'",
    ],
    [
      'family=Smith&birthdate=eq2010-10-22&gender=mal',
      'INVALID_VALUE',
      "Invalid value - 'mal' in field 'gender'",
    ],
    ['family=Smith&birthdate=eq2010-10-22&_max-results=51', 'INVALID_VALUE', undefined],
    ['family=Smith&birthdate=eq2010-10-22&_max-results=0', 'INVALID_VALUE', undefined],
    ['family=Sm*&given=Jane&birthdate=eq2010-10-22&_fuzzy-match=true', 'INVALID_SEARCH_DATA', undefined],
    ['family=S*&birthdate=eq2010-10-22', 'INVALID_SEARCH_DATA', undefined],
    [
      'family=Smith&birthdate=eq2010-10-22&address-postcode=LS1&address-postalcode=LS1',
      'INVALID_SEARCH_DATA',
      undefined,
    ],
    [
      'family=Smith&birthdate=ge2010-01-01&birthdate=le2011-01-01&birthdate=eq2010-10-22',
      'TOO_MANY_VALUES_SUBMITTED',
      undefined,
    ],
  ])('rejects ?%s with 400 %s', async (query, code, diagnostics) => {
    const answer = await search(query);
    expect(answer.status).toBe(400);
    expect(errorOf(answer).code).toBe(code);
    if (diagnostics !== undefined) expect(errorOf(answer).diagnostics).toBe(diagnostics);
    expect(JSON.stringify(answer.body)).not.toContain('#('); // no karate template leaks
  });

  it('accepts a date range and the fuzzy combinations PDS lists', async () => {
    expect(
      ids(await search('family=Smith&gender=female&birthdate=ge2010-10-21&birthdate=le2010-10-23')),
    ).toEqual(['9000000009']);
    const fuzzy = 'birthdate=eq2010-10-22&gender=female&address-postcode=LS1%206AE&_fuzzy-match=true';
    expect(ids(await search(`family=Smith&${fuzzy}`))).toContain('9000000009');
    expect(ids(await search(`given=Jane&${fuzzy}`))).toContain('9000000009');
  });

  it('uses American Soundex for homophones', () => {
    expect(['Smith', 'Smyth', 'Smythe'].map(soundex)).toEqual(['S530', 'S530', 'S530']);
    expect(['Robert', 'Rupert', 'Ashcraft', 'Tymczak', 'Pfister'].map(soundex)).toEqual([
      'R163',
      'R163',
      'A261',
      'T522',
      'P236',
    ]);
  });
});
