// The dm+d stand-in over real HTTP: $lookup, $expand and batch on the terminology server's paths,
// their errors as OperationOutcomes, request counting under the upstream name `dmd`, and the
// provenance of every fixture it serves.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resetSandbox, sandboxRequests } from '../../test/sandbox-client.js';
import { startSandbox, type Sandbox } from '../server.js';
import { DMD_BASE_PATH, MAX_BATCH_ENTRIES } from './handler.js';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox(0, { syntheticPatients: 0 });
});
afterAll(() => sandbox.close());
beforeEach(() => resetSandbox(sandbox.url));

interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

async function dmd(path: string, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(`${sandbox.url}${DMD_BASE_PATH}${path}`, init);
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Record<string, unknown>,
  };
}

type Part = { name: string; part?: Part[] } & Record<string, unknown>;
const parameters = (answer: Answer | Record<string, unknown>) =>
  (('body' in answer ? answer.body : answer) as { parameter: Part[] }).parameter;
/** `code -> values` of a $lookup's properties (a group's value is its subproperties, code -> value). */
function properties(answer: Answer | Record<string, unknown>): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const parameter of parameters(answer).filter((p) => p.name === 'property')) {
    const parts = parameter.part ?? [];
    const code = parts.find((p) => p.name === 'code')?.['valueCode'] as string;
    const valuePart = parts.find((p) => p.name === 'value');
    const value = valuePart
      ? Object.fromEntries(Object.entries(valuePart).filter(([key]) => key !== 'name'))
      : Object.fromEntries(
          parts
            .filter((p) => p.name === 'subproperty')
            .map((sub) => {
              const subParts = sub.part ?? [];
              const subValue = subParts.find((p) => p.name === 'value') ?? {};
              const [, typed] = Object.entries(subValue).find(([key]) => key.startsWith('value')) ?? [];
              return [subParts.find((p) => p.name === 'code')?.['valueCode'], typed];
            }),
        );
    (out[code] ??= []).push(value);
  }
  return out;
}
const diagnostics = (answer: Answer) =>
  (answer.body['issue'] as Array<{ code: string; diagnostics?: string }> | undefined)?.[0];
const lookupPath = (code: string, extra = '') =>
  `/CodeSystem/$lookup?system=${encodeURIComponent('https://dmd.nhs.uk')}&code=${code}${extra}`;

describe('GET /CodeSystem/$lookup', () => {
  it('answers a VMP with name, version, display and its dm+d properties', async () => {
    const answer = await dmd(lookupPath('318136009', '&property=*'));
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('application/fhir+json');
    expect(parameters(answer).slice(0, 3)).toEqual([
      { name: 'name', valueString: 'dm+d' },
      { name: 'version', valueString: '2021-08-26' },
      { name: 'display', valueString: 'Co-amilofruse 5mg/40mg tablets' },
    ]);
    const props = properties(answer);
    expect(props['parent']).toEqual([{ valueCode: 'VMP' }, { valueCode: '34186711000001102' }]);
    expect(props['child']).toHaveLength(5);
    expect(props['inactive']).toEqual([{ valueBoolean: false }]);
    expect(props['VTMID']).toEqual([
      { valueCoding: { system: 'https://dmd.nhs.uk', code: '34186711000001102', display: 'Co-amilofruse' } },
    ]);
    expect(props['FORMCD']).toEqual([
      { valueCoding: { system: 'https://dmd.nhs.uk', code: '385055001', display: 'Tablet' } },
    ]);
    expect(props['ROUTECD']).toEqual([
      { valueCoding: { system: 'https://dmd.nhs.uk', code: '26643006', display: 'Oral' } },
    ]);
    expect(props['CATCD']).toEqual([
      {
        valueCoding: {
          system: 'https://dmd.nhs.uk/lookup/CONTROL_DRUG_CATEGORY',
          code: '0000',
          display: 'No Controlled Drug Status',
        },
      },
    ]);
    expect(props['UDFS']).toEqual([{ valueDecimal: 1 }]);
    expect(props['VPI']).toEqual([
      {
        ISID: { system: 'https://dmd.nhs.uk', code: '387516008', display: 'Amiloride hydrochloride' },
        BASIS_STRNTCD: {
          system: 'https://dmd.nhs.uk/lookup/BASIS_OF_STRNTH',
          code: '0001',
          display: 'Based on Ingredient Substance',
        },
        STRNT_NMRTR_VAL: 5,
        STRNT_NMRTR_UOMCD: { system: 'https://dmd.nhs.uk', code: '258684004', display: 'mg' },
      },
      expect.objectContaining({ STRNT_NMRTR_VAL: 40 }),
    ]);
  });

  it('returns only the properties asked for (repeated or comma-separated)', async () => {
    const answer = await dmd(lookupPath('37365811000001102', '&property=parent,SUPPCD&property=inactive'));
    expect(Object.keys(properties(answer)).sort()).toEqual(['SUPPCD', 'inactive', 'parent']);
    expect(properties(answer)['parent']).toEqual([{ valueCode: 'AMP' }, { valueCode: '318136009' }]);
  });

  it('serves dm+d lookup concepts too (a route), under their class', async () => {
    const answer = await dmd(lookupPath('26643006'));
    expect(answer.status).toBe(200);
    expect(parameters(answer)[2]).toEqual({ name: 'display', valueString: 'Oral' });
    expect(properties(answer)['parent']).toEqual([{ valueCode: 'ROUTE' }]);
  });

  it('serves the medicines derived from the GP Connect fixtures', async () => {
    const answer = await dmd(lookupPath('323509004'));
    expect(parameters(answer)[2]).toEqual({ name: 'display', valueString: 'Amoxicillin 250mg capsules' });
    expect(properties(answer)['parent']).toEqual([{ valueCode: 'VMP' }]);
  });

  it.each([
    ['an unknown code', lookupPath('999999999'), 404, 'not-found'],
    [
      'another code system',
      '/CodeSystem/$lookup?system=http://snomed.info/sct&code=318136009',
      404,
      'not-found',
    ],
    ['another release', lookupPath('318136009', '&version=2020-01-01'), 404, 'not-found'],
    ['no code', '/CodeSystem/$lookup?system=https://dmd.nhs.uk', 400, 'required'],
    ['no system', '/CodeSystem/$lookup?code=318136009', 400, 'required'],
  ])('answers %s with %s and an OperationOutcome', async (_case, path, status, code) => {
    const answer = await dmd(path);
    expect(answer.status).toBe(status);
    expect(answer.body['resourceType']).toBe('OperationOutcome');
    expect(diagnostics(answer)?.code).toBe(code);
  });
});

describe('GET /ValueSet/$expand', () => {
  const expandPath = (query: Record<string, string>) =>
    `/ValueSet/$expand?${new URLSearchParams(query).toString()}`;
  const codes = (answer: Answer) =>
    ((answer.body['expansion'] as { contains?: Array<{ code: string }> }).contains ?? []).map((c) => c.code);

  it('finds concepts whose name has every word of the filter, shortest name first', async () => {
    const answer = await dmd(
      expandPath({ url: 'https://dmd.nhs.uk?fhir_vs', filter: 'co-amil 5mg', count: '3' }),
    );
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      resourceType: 'ValueSet',
      expansion: {
        total: 8,
        offset: 0,
        parameter: expect.arrayContaining([
          { name: 'used-codesystem', valueUri: 'https://dmd.nhs.uk|2021-08-26' },
        ]),
      },
    });
    expect(codes(answer)).toEqual(['318136009', '38847311000001102', '37706811000001108']);
  });

  it('restricts to one class with the class value set, and pages with offset', async () => {
    const vtms = await dmd(expandPath({ url: 'https://dmd.nhs.uk/ValueSet/VTM', filter: 'amilofruse' }));
    expect(codes(vtms)).toEqual(['34186711000001102']);
    const page = await dmd(
      expandPath({ url: 'https://dmd.nhs.uk/ValueSet/AMP', filter: 'co-amilofruse', offset: '2' }),
    );
    expect(codes(page)).toEqual(['37365811000001102']);
  });

  it('answers an expansion without contains when nothing matches', async () => {
    const answer = await dmd(expandPath({ url: 'https://dmd.nhs.uk?fhir_vs', filter: 'zzzz' }));
    expect(answer.body['expansion']).toMatchObject({ total: 0 });
    expect(answer.body['expansion']).not.toHaveProperty('contains');
  });

  it.each([
    ['no url', {}, 400],
    ['an unknown value set', { url: 'https://dmd.nhs.uk/ValueSet/NOPE' }, 404],
    ['a bad count', { url: 'https://dmd.nhs.uk?fhir_vs', count: '-1' }, 400],
    ['a bad activeOnly', { url: 'https://dmd.nhs.uk?fhir_vs', activeOnly: 'yes' }, 400],
  ])('answers %s with %s', async (_case, query, status) => {
    const answer = await dmd(expandPath(query));
    expect(answer.status).toBe(status);
    expect(answer.body['resourceType']).toBe('OperationOutcome');
  });
});

describe('POST / (batch)', () => {
  const post = (body: unknown) =>
    dmd('', {
      method: 'POST',
      headers: { 'content-type': 'application/fhir+json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const entry = (url: string, method = 'GET') => ({ request: { method, url } });

  it('answers every entry in order, each with its own status, in one request', async () => {
    const answer = await post({
      resourceType: 'Bundle',
      type: 'batch',
      entry: [
        entry('CodeSystem/$lookup?system=https%3A%2F%2Fdmd.nhs.uk&code=318136009&property=*'),
        entry('CodeSystem/$lookup?system=https%3A%2F%2Fdmd.nhs.uk&code=999999999'),
        entry('/CodeSystem/$lookup?system=https%3A%2F%2Fdmd.nhs.uk&code=34186711000001102'),
        entry('Patient/9000000009'),
        entry('CodeSystem/$lookup?system=https%3A%2F%2Fdmd.nhs.uk&code=318136009', 'DELETE'),
      ],
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ resourceType: 'Bundle', type: 'batch-response' });
    const entries = answer.body['entry'] as Array<{
      resource?: Record<string, unknown>;
      response: Record<string, unknown>;
    }>;
    expect(entries.map((e) => e.response['status'])).toEqual([
      '200 OK',
      '404 Not Found',
      '200 OK',
      '404 Not Found',
      '405 Method Not Allowed',
    ]);
    expect(parameters(entries[0]?.resource ?? {})[2]).toEqual({
      name: 'display',
      valueString: 'Co-amilofruse 5mg/40mg tablets',
    });
    expect(entries[1]?.response['outcome']).toMatchObject({ resourceType: 'OperationOutcome' });
    expect((await sandboxRequests(sandbox.url)).counts).toEqual({ 'dmd POST /': 1 });
  });

  it.each([
    ['a body that is not JSON', 'not json'],
    ['a resource that is not a Bundle', { resourceType: 'Parameters' }],
    ['a transaction', { resourceType: 'Bundle', type: 'transaction', entry: [] }],
    ['an entry without a request', { resourceType: 'Bundle', type: 'batch', entry: [{}] }],
    [
      `more than ${MAX_BATCH_ENTRIES} entries`,
      {
        resourceType: 'Bundle',
        type: 'batch',
        entry: Array.from({ length: MAX_BATCH_ENTRIES + 1 }, () => entry('CodeSystem/$lookup?code=1')),
      },
    ],
  ])('refuses %s with 400', async (_case, body) => {
    const answer = await post(body);
    expect(answer.status).toBe(400);
    expect(answer.body['resourceType']).toBe('OperationOutcome');
  });
});

describe('routing', () => {
  it('counts requests under dmd by route, and mirrors X-Correlation-ID', async () => {
    const answer = await dmd(lookupPath('318136009'), { headers: { 'x-correlation-id': 'corr-1' } });
    expect(answer.headers.get('x-correlation-id')).toBe('corr-1');
    await dmd('/ValueSet/$expand?url=https://dmd.nhs.uk?fhir_vs&filter=tablets');
    expect((await sandboxRequests(sandbox.url)).counts).toEqual({
      'dmd GET /CodeSystem/$lookup': 1,
      'dmd GET /ValueSet/$expand': 1,
    });
  });

  it('refuses other methods with 405 and Allow, and other paths with 404', async () => {
    const put = await dmd(lookupPath('318136009'), { method: 'PUT' });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('GET');
    const get = await dmd('');
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    expect((await dmd('/CodeSystem/dmd')).status).toBe(404);
  });
});

describe('fixture provenance', () => {
  it('lists every dm+d fixture file in PROVENANCE.md, and the derived medicines in derived/README.md', () => {
    const fixtures = fileURLToPath(new URL('../fixtures/', import.meta.url));
    const provenance = readFileSync(join(fixtures, 'PROVENANCE.md'), 'utf8');
    const walk = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((item) =>
        item.isDirectory() ? walk(join(dir, item.name)) : [join(dir, item.name)],
      );
    const files = walk(join(fixtures, 'dmd')).map((file) => relative(fixtures, file));
    expect(files).toHaveLength(12);
    for (const file of files) expect(provenance).toContain(`\`${file}\``);
    expect(readFileSync(join(fixtures, 'derived/README.md'), 'utf8')).toContain(
      '`dmd-gp-connect-medicines.json`',
    );
  });
});
