// Depth, alias and cost limits as validation rules: each refusal carries its own code, and the
// queries the product sends today sit well inside the defaults (HTTP behaviour: test/edge.e2e).
import { readFileSync } from 'node:fs';
import { parse, specifiedRules, validate } from 'graphql';
import { loadGatewayConfig, type QueryLimits } from './config.js';
import { limitRules } from './limits.js';
import { publicSchemaOf } from './partners.js';

const schema = publicSchemaOf(readFileSync(new URL('../schema/supergraph.graphql', import.meta.url), 'utf8'));
const defaults = loadGatewayConfig({}).edge.limits;
const codesOf = (query: string, limits: QueryLimits = defaults) =>
  validate(schema, parse(query), [...specifiedRules, ...limitRules(limits)]).map(
    (error) => error.extensions['code'] ?? error.message,
  );

const PATIENT = `nhsNumber name { text given family prefix } names { use text } birthDate gender
  address { lines postcode } telecom { system value use } deceased { dateTime notificationStatus }
  registeredGp { odsCode } restricted supersededNhsNumbers provenance { source retrievedAt stale }`;

describe('limitRules', () => {
  it('has the documented defaults', () => {
    expect(defaults).toEqual({
      depth: 12,
      aliases: 15,
      tokens: 2000,
      cost: 5000,
      batch: 5,
      bodyBytes: 100_000,
    });
  });

  it.each([
    ['the full demographics query', `{ patient(nhsNumber: "9000000009") { ${PATIENT} } }`],
    ['a search', `{ searchPatients(criteria: { family: "Smith" }) { score patient { ${PATIENT} } } }`],
    [
      'Query.me in full',
      `{ me { kind subject roles { roleCode organisation { odsCode } } patient { ${PATIENT} } } }`,
    ],
    [
      'fifteen aliased patients',
      `{ ${Array.from({ length: 15 }, (_, i) => `p${i}: patient(nhsNumber: "9000000009") { ${PATIENT} }`).join(' ')} }`,
    ],
  ])('lets %s through under the defaults', (_case, query) => {
    expect(codesOf(query)).toEqual([]);
  });

  const small = { ...defaults, depth: 3, aliases: 1, cost: 20 };
  it.each([
    ['QUERY_TOO_DEEP', `{ me { patient { name { text } } } }`],
    ['TOO_MANY_ALIASES', `{ a: me { kind } b: me { kind } }`],
    ['QUERY_TOO_COMPLEX', `{ patient(nhsNumber: "9000000009") { ${PATIENT} } }`],
  ])('refuses with %s', (code, query) => {
    expect(codesOf(query, small)).toContain(code);
  });

  it('counts depth through fragments', () => {
    const query = `{ me { ...M } } fragment M on Me { patient { name { text } } }`;
    expect(codesOf(query, small)).toContain('QUERY_TOO_DEEP');
  });

  it('says what was exceeded, without graphql-armor’s "Syntax Error" prefix', () => {
    const [error] = validate(schema, parse(`{ me { patient { name { text } } } }`), limitRules(small));
    expect(error?.message).toBe('Query depth limit of 3 exceeded, found 4.');
  });
});
