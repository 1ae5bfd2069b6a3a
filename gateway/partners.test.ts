// The partner folders the gateway loads: well-formed, current with their .graphql documents, and
// every operation valid against the committed supergraph and within the default query limits, so
// a schema change that would break a partner's operation fails the build, not the partner.
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, specifiedRules, validate } from 'graphql';
import { loadGatewayConfig } from './config.js';
import { buildAllManifests, ManifestError, manifestText } from '../scripts/partner-manifests.js';
import { limitRules } from './limits.js';
import {
  documentIdOf,
  loadPartners,
  MANIFEST_FILE,
  PARTNERS_DIR,
  PartnerConfigError,
  publicSchemaOf,
} from './partners.js';

const supergraph = readFileSync(new URL('../schema/supergraph.graphql', import.meta.url), 'utf8');
const schema = publicSchemaOf(supergraph);
const directory = loadPartners();

describe('the committed partner folders', () => {
  it('onboard acme with its operations', () => {
    const acme = directory.partner('acme');
    expect(acme?.config.scopes).toEqual(['patient:demographics.read', 'organisation.read']);
    expect([...(acme?.operations.values() ?? [])].map((operation) => operation.name)).toEqual([
      'PatientDemographics',
      'PatientRegisteredGp',
    ]);
  });

  it.each(directory.partners.map((partner) => [partner.config.clientId, partner] as const))(
    '%s: every operation is valid against the supergraph and within the default limits',
    (_clientId, partner) => {
      const limits = loadGatewayConfig({}).edge.limits;
      for (const operation of partner.operations.values()) {
        const errors = validate(schema, parse(operation.body), [...specifiedRules, ...limitRules(limits)]);
        expect([operation.name, errors.map((error) => error.message)]).toEqual([operation.name, []]);
        expect(operation.id).toBe(documentIdOf(operation.body));
      }
    },
  );

  it('have manifests that match their .graphql documents (npm run codegen)', () => {
    for (const [clientId, manifest] of buildAllManifests(PARTNERS_DIR, supergraph)) {
      const committed = readFileSync(join(PARTNERS_DIR, clientId, MANIFEST_FILE), 'utf8');
      expect(committed).toBe(manifestText(manifest));
    }
  });

  it('fail to build against a supergraph that renamed a field a partner asks for', () => {
    const withoutGender = supergraph.replace(
      /^(\s*)gender: Gender @join__field/m,
      '$1sex: Gender @join__field',
    );
    expect(withoutGender).not.toBe(supergraph);
    expect(() => buildAllManifests(PARTNERS_DIR, withoutGender)).toThrow(ManifestError);
    expect(() => buildAllManifests(PARTNERS_DIR, withoutGender)).toThrow(/PatientDemographics.*gender/);
  });

  it('tells a document some partner owns from one nobody does', () => {
    const [id] = directory.partner('acme')?.operations.keys() ?? [];
    expect(directory.isKnownDocument(id ?? '')).toBe(true);
    expect(directory.isKnownDocument(documentIdOf('{ __typename }'))).toBe(false);
  });
});

describe('loadPartners refuses a malformed partner folder', () => {
  const body = 'query Who {\n  me {\n    subject\n  }\n}';
  const manifest = (operationBody: string, id = documentIdOf(operationBody)) => ({
    format: 'apollo-persisted-query-manifest',
    version: 1,
    operations: [{ id, name: 'Who', type: 'query', body: operationBody }],
  });
  const config = {
    clientId: 'beta',
    name: 'Beta',
    scopes: ['organisation.read'],
    rateLimit: { requests: 10, windowSeconds: 60 },
  };

  function partnersDir(partnerJson: unknown, manifestJson: unknown, folder = 'beta'): string {
    const dir = mkdtempSync(join(tmpdir(), 'partners-'));
    mkdirSync(join(dir, folder, '__generated__'), { recursive: true });
    writeFileSync(join(dir, folder, 'partner.json'), JSON.stringify(partnerJson));
    if (manifestJson !== undefined)
      writeFileSync(join(dir, folder, MANIFEST_FILE), JSON.stringify(manifestJson));
    return dir;
  }

  it('loads a well-formed one', () => {
    expect(loadPartners(partnersDir(config, manifest(body))).partner('beta')?.operations.size).toBe(1);
  });

  it.each([
    [
      'a client id that is not the folder name',
      partnersDir({ ...config, clientId: 'gamma' }, manifest(body)),
    ],
    ['an unknown scope', partnersDir({ ...config, scopes: ['patient:everything'] }, manifest(body))],
    ['no rate limit', partnersDir({ ...config, rateLimit: undefined }, manifest(body))],
    ['no manifest', partnersDir(config, undefined)],
    [
      'a body edited after its id was computed',
      partnersDir(config, manifest(`${body} `, documentIdOf(body))),
    ],
  ])('%s', (_case, dir) => {
    expect(() => loadPartners(dir)).toThrow(PartnerConfigError);
  });
});
