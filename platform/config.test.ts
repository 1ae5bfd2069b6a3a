import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('defaults every upstream to the local sandbox', () => {
    const config = loadConfig({});
    expect(config.gateway.port).toBe(4000);
    expect(config.upstreams.pds.baseUrl).toBe('http://127.0.0.1:4010/personal-demographics/FHIR/R4');
    expect(config.subgraphs.demographics.url).toBe('http://127.0.0.1:4101/graphql');
  });

  it('points PDS at a real environment from PDS_BASE_URL, without a trailing slash', () => {
    const config = loadConfig({
      PDS_BASE_URL: 'https://int.api.service.nhs.uk/personal-demographics/FHIR/R4/',
    });
    expect(config.upstreams.pds.baseUrl).toBe('https://int.api.service.nhs.uk/personal-demographics/FHIR/R4');
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PDS_BASE_URL: 'not a url' }, 'PDS_BASE_URL'],
    [{ PDS_BASE_URL: 'ftp://pds.example' }, 'PDS_BASE_URL'],
    [{ PDS_TIMEOUT_MS: '-5' }, 'PDS_TIMEOUT_MS'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
  ])('refuses %p with a message naming %s', (env, variable) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(variable);
  });
});
