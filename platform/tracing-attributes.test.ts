// Span attributes leave the process: no NHS number, token or query may survive scrubbing.
import { pathTemplate, redactIdentifiers, scrubAttributes, scrubUrl } from './tracing-attributes.js';

const NHS_NUMBER = '9000000009';
const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJjbGVyayJ9.c2lnbmF0dXJl';

describe('pathTemplate', () => {
  it('replaces identifying segments and keeps resource types and operations', () => {
    expect(pathTemplate(`/FHIR/R4/Patient/${NHS_NUMBER}`)).toBe('/FHIR/R4/Patient/{id}');
    expect(pathTemplate(`/Patient/${NHS_NUMBER}/$everything`)).toBe('/Patient/{id}/$everything');
    expect(pathTemplate('/Appointment/3fa85f64-5717-4562-b3fc-2c963f66afa6')).toBe('/Appointment/{id}');
    expect(pathTemplate(`/MedicationRequest?patient=${NHS_NUMBER}`)).toBe('/MedicationRequest');
  });

  it('redacts an encoded identifier as well as a plain one', () => {
    expect(pathTemplate(`/Patient/%39${NHS_NUMBER.slice(1)}`)).toBe('/Patient/{id}');
  });
});

describe('scrubUrl', () => {
  it('keeps the origin and drops query, fragment and credentials', () => {
    const scrubbed = scrubUrl(
      `https://user:secret@sandbox.example:8443/Patient/${NHS_NUMBER}?identifier=${NHS_NUMBER}#x`,
    );
    expect(scrubbed).toBe('https://sandbox.example:8443/Patient/{id}');
  });
});

describe('scrubAttributes', () => {
  it('leaves no NHS number or token in any exported value', () => {
    const scrubbed = scrubAttributes({
      'url.full': `http://127.0.0.1:4000/Patient/${NHS_NUMBER}?subject=${NHS_NUMBER}`,
      'url.path': `/Patient/${NHS_NUMBER}`,
      'http.target': `/Observation?patient=${NHS_NUMBER}`,
      'url.query': `patient=${NHS_NUMBER}`,
      'graphql.document': `{ patient(nhsNumber: "${NHS_NUMBER}") { name } }`,
      'graphql.variables.nhsNumber': NHS_NUMBER,
      'http.request.header.authorization': `Bearer ${TOKEN}`,
      'exception.message': `lookup of ${NHS_NUMBER.replace(/(\d{3})(\d{3})(\d{4})/, '$1 $2 $3')} failed with Bearer ${TOKEN}`,
      'http.response.status_code': 200,
      'correlation.id': 'c0ffee',
    });
    const exported = JSON.stringify(scrubbed);
    expect(exported).not.toContain(NHS_NUMBER);
    expect(exported).not.toContain('900 000 0009');
    expect(exported).not.toContain(TOKEN);
    expect(scrubbed['http.response.status_code']).toBe(200);
    expect(scrubbed['correlation.id']).toBe('c0ffee');
    expect(scrubbed['url.path']).toBe('/Patient/{id}');
  });

  it('keeps an ODS-coded organisation path readable only as a template', () => {
    expect(scrubAttributes({ 'url.path': '/Organization/Y12345' })['url.path']).toBe('/Organization/{id}');
  });
});

describe('redactIdentifiers', () => {
  it('redacts hyphenated NHS numbers', () => {
    expect(redactIdentifiers('900-000-0009')).toBe('{id}');
  });
});
