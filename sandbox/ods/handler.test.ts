// The ODS stand-in over real HTTP: the scenario table in sandbox/README.md, request counting under
// the upstream name `ods`, and the provenance of every fixture it serves.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSandbox, type Sandbox } from '../server.js';
import { resetSandbox, sandboxRequests } from '../../test/sandbox-client.js';
import { readIgExample } from './fixtures.js';
import { ODS_BASE_PATH } from './handler.js';

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

async function ods(path: string, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(`${sandbox.url}${ODS_BASE_PATH}${path}`, init);
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Record<string, unknown>,
  };
}

const diagnostics = (answer: Answer) =>
  (answer.body['issue'] as Array<{ diagnostics?: string }> | undefined)?.[0]?.diagnostics;
const entryIds = (answer: Answer) =>
  ((answer.body['entry'] as Array<{ resource: { id: string } }> | undefined) ?? []).map((e) => e.resource.id);

describe('GET /Organization/{id}', () => {
  it.each(['G81086', '4VE03', 'FCE71', 'FDC49', 'Q72'])(
    'serves the IG example %s with its ODS code as id',
    async (code) => {
      const answer = await ods(`/Organization/${code}`);
      expect(answer.status).toBe(200);
      expect(answer.headers.get('content-type')).toBe('application/fhir+json');
      expect(answer.body).toMatchObject({ resourceType: 'Organization', id: code });
    },
  );

  it('serves G81086 exactly as the IG example, but for the id', async () => {
    const { body } = await ods('/Organization/G81086');
    expect({ ...body, id: 'ODS-Organization-G81086-Example' }).toEqual(
      readIgExample('ODS-Organization-G81086-Example.xml'),
    );
  });

  it.each([
    ['Y12345', 'SANDBOX MEDICAL PRACTICE (DERIVED)'],
    ['A20047', 'SANDBOX HEALTH CENTRE (DERIVED)'],
    ['H81109', 'SANDBOX FAMILY SURGERY (DERIVED)'],
  ])(
    'serves the derived GP practice %s (registered GP of PDS fixtures and synthetic patients)',
    async (code, name) => {
      const { status, body } = await ods(`/Organization/${code}`);
      expect(status).toBe(200);
      expect(body).toMatchObject({
        id: code,
        name,
        identifier: [
          expect.objectContaining({ system: 'https://fhir.nhs.uk/Id/ods-organization-code', value: code }),
        ],
      });
      // Roles, periods and record types are G81086's.
      const g81086 = (await ods('/Organization/G81086')).body;
      expect(body['extension']).toEqual(g81086['extension']);
      expect(body['type']).toEqual(g81086['type']);
    },
  );

  it('answers an unknown code 404 with the published HAPI-2001 OperationOutcome, naming the code', async () => {
    const answer = await ods('/Organization/X99999');
    expect(answer.status).toBe(404);
    expect(answer.body).toEqual({
      resourceType: 'OperationOutcome',
      issue: [
        {
          severity: 'error',
          code: 'processing',
          diagnostics: 'HAPI-2001: Resource Organization/X99999 is not known',
        },
      ],
    });
  });
});

describe('GET /Organization (search)', () => {
  it.each([
    ['name=bird', ['G81086']],
    ['name=BIRD-IN', ['G81086']],
    ['name:contains=PHARM', ['FCE71']],
    ['name:exact=ATOS MEDICAL', ['FDC49']],
    ['name:exact=atos medical', []],
    ['address-postalcode=TN22', ['4VE03', 'G81086']],
    ['address-postalcode:exact=TN22 5AW', ['G81086']],
    ['address-city=leeds', ['A20047', 'H81109', 'Q72', 'Y12345']],
    ['roleCode=RO76', ['A20047', 'G81086', 'H81109', 'Y12345']],
    ['roleCode=RO182,RO94', ['FCE71', 'FDC49']],
    ['roleCode=RO177&roleCode:not=RO76', []],
    [
      'roleCode=https://digital.nhs.uk/services/organisation-data-service/CodeSystem/ODSOrganisationRole|RO210',
      ['Q72'],
    ],
    ['activeRoleCode=RO182', []],
    ['active=false', ['4VE03', 'FCE71']],
    ['_id=Q72,FDC49', ['FDC49', 'Q72']],
    ['identifier=https://fhir.nhs.uk/Id/ods-organization-code|G81086', ['G81086']],
    ['lastChangeDate=gt2023-08-20', ['FCE71', 'G81086', 'A20047', 'H81109', 'Y12345'].sort()],
    ['lastChangeDate=2020-09-24', ['FDC49']],
    ['name=nothing-like-this', []],
  ])('%s -> %j', async (query, codes) => {
    const answer = await ods(`/Organization?${query}`);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ resourceType: 'Bundle', type: 'searchset', total: codes.length });
    expect(entryIds(answer)).toEqual(codes);
  });

  it('answers no match like the IG example: total 0 and no entry', async () => {
    const answer = await ods('/Organization?name=nothing-like-this');
    expect(answer.body['entry']).toBeUndefined();
    expect(answer.body['link']).toEqual([expect.objectContaining({ relation: 'self' })]);
  });

  it('pages with _count and _offset (default 20), with a next link while more remain', async () => {
    const first = await ods('/Organization?roleCode=RO76&_count=3');
    expect(entryIds(first)).toEqual(['A20047', 'G81086', 'H81109']);
    expect(first.body['total']).toBe(4);
    expect(first.body['link']).toContainEqual(
      expect.objectContaining({ relation: 'next', url: expect.stringContaining('_offset=3') }),
    );
    expect(entryIds(await ods('/Organization?roleCode=RO76&_count=3&_offset=3'))).toEqual(['Y12345']);
    const summary = await ods('/Organization?roleCode=RO76&_summary=count');
    expect(summary.body).toMatchObject({ total: 4 });
    expect(summary.body['entry']).toBeUndefined();
  });

  it('answers an unknown parameter 400 with the published HAPI-0524, naming it', async () => {
    const answer = await ods('/Organization?count=5');
    expect(answer.status).toBe(400);
    expect(diagnostics(answer)).toMatch(
      /^HAPI-0524: Unknown search parameter "count" for resource type "Organization"/,
    );
  });

  it('answers a malformed lastChangeDate 400 with the published HAPI-1940, quoting it', async () => {
    const answer = await ods('/Organization?lastChangeDate=gtINVALID');
    expect(answer.status).toBe(400);
    expect(diagnostics(answer)).toBe('HAPI-1940: Invalid date/time/quantity format: "gtINVALID"');
  });

  it('says plainly when a valid ODS parameter is not simulated', async () => {
    const answer = await ods('/Organization?phonetic=smith');
    expect(answer.status).toBe(400);
    expect(diagnostics(answer)).toMatch(/sandbox does not simulate phonetic/);
  });
});

describe('OrganizationAffiliation', () => {
  it('finds G81086’s relationships by primary-organization (bare or system|code)', async () => {
    for (const value of ['G81086', 'https://fhir.nhs.uk/Id/ods-organization-code|G81086']) {
      const answer = await ods(`/OrganizationAffiliation?primary-organization=${encodeURIComponent(value)}`);
      expect(entryIds(answer)).toEqual(['256248']);
    }
  });

  it('adds the related organisation with _include, in search mode include', async () => {
    const answer = await ods(
      '/OrganizationAffiliation?primary-organization=FDC49&_include=OrganizationAffiliation:participating-organization',
    );
    const entries = answer.body['entry'] as Array<{ resource: { id: string }; search: { mode: string } }>;
    expect(entries.map((e) => [e.resource.id, e.search.mode])).toEqual([
      ['383689', 'match'],
      ['Q72', 'include'],
    ]);
  });

  it('serves a relationship by id, with references by ODS code as the API makes them', async () => {
    const answer = await ods('/OrganizationAffiliation/256248');
    expect(answer.body).toMatchObject({
      id: '256248',
      organization: { reference: 'Organization/G81086' },
      participatingOrganization: { reference: 'Organization/4VE03' },
    });
    expect((await ods('/OrganizationAffiliation/1')).status).toBe(404);
  });

  it('answers an empty search like the IG example and an unknown parameter with HAPI-0524', async () => {
    const none = await ods('/OrganizationAffiliation?participating-organization=X999');
    expect(none.body).toMatchObject({ total: 0 });
    expect(none.body['entry']).toBeUndefined();
    const unknown = await ods('/OrganizationAffiliation?nam=x');
    expect(unknown.status).toBe(400);
    expect(diagnostics(unknown)).toMatch(
      /"nam" for resource type "OrganizationAffiliation".*primary-organization/,
    );
  });
});

describe('methods and routes', () => {
  it('answers anything but GET 405 with the published HAPI-0427, naming the method', async () => {
    const answer = await ods('/Organization/G81086', { method: 'DELETE' });
    expect(answer.status).toBe(405);
    expect(answer.headers.get('allow')).toBe('GET');
    expect(diagnostics(answer)).toMatch(/^HAPI-0427: HTTP Method DELETE is not allowed/);
  });

  it('counts every request per route under the upstream name ods', async () => {
    await ods('/Organization/G81086');
    await ods('/Organization/G81086');
    await ods('/Organization?name=bird');
    await ods('/OrganizationAffiliation?primary-organization=G81086');
    await ods('/CodeSystem');
    expect((await sandboxRequests(sandbox.url)).counts).toEqual({
      'ods GET /Organization/{id}': 2,
      'ods GET /Organization': 1,
      'ods GET /OrganizationAffiliation': 1,
      'ods GET *': 1,
    });
  });
});

describe('provenance', () => {
  it('lists every copied ODS file in sandbox/fixtures/PROVENANCE.md', () => {
    const root = fileURLToPath(new URL('../fixtures/', import.meta.url));
    const list = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
        entry.isDirectory() ? list(join(dir, entry.name)) : [relative(root, join(dir, entry.name))],
      );
    const provenance = readFileSync(join(root, 'PROVENANCE.md'), 'utf8');
    const missing = list(join(root, 'ods')).filter((file) => !provenance.includes(`| \`${file}\` |`));
    expect(missing).toEqual([]);
  });
});
