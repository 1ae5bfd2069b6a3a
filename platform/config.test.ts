import { loadGatewayConfig } from '../gateway/config.js';
import { demographics } from '../subgraphs/demographics/manifest.js';
import { loadSystemConfig } from '../scripts/system-config.js';
import { ConfigError, loadConfig } from './config.js';
import { loadSubgraphConfig } from './manifest.js';

describe('loadConfig', () => {
  it('defaults every upstream to the local sandbox', () => {
    expect(loadGatewayConfig({}).gateway.port).toBe(4000);
    expect(loadSubgraphConfig(demographics, {}).upstreams.pds.baseUrl).toBe(
      'http://127.0.0.1:4010/personal-demographics/FHIR/R4',
    );
    expect(loadGatewayConfig({}).subgraphs['demographics']?.url).toBe('http://127.0.0.1:4101/graphql');
  });

  it('points PDS at a real environment from PDS_BASE_URL, without a trailing slash', () => {
    const config = loadSubgraphConfig(demographics, {
      PDS_BASE_URL: 'https://int.api.service.nhs.uk/personal-demographics/FHIR/R4/',
    });
    expect(config.upstreams.pds.baseUrl).toBe('https://int.api.service.nhs.uk/personal-demographics/FHIR/R4');
  });

  // Each process validates what it reads (shared + its own); the stack launcher validates all.
  const loaders = {
    shared: loadConfig,
    gateway: loadGatewayConfig,
    demographics: (env: NodeJS.ProcessEnv) => loadSubgraphConfig(demographics, env),
    system: loadSystemConfig,
  };
  it.each([
    [{ PORT: 'eighty' }, 'PORT', ['gateway', 'system']],
    [{ PDS_BASE_URL: 'not a url' }, 'PDS_BASE_URL', ['demographics', 'system']],
    [{ PDS_BASE_URL: 'ftp://pds.example' }, 'PDS_BASE_URL', ['demographics', 'system']],
    [{ PDS_TIMEOUT_MS: '-5' }, 'PDS_TIMEOUT_MS', ['demographics', 'system']],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL', ['shared', 'gateway', 'demographics', 'system']],
    [{ CORS_ORIGINS: 'not an origin' }, 'CORS_ORIGINS', ['gateway', 'system']],
    [{ CORS_ORIGINS: 'https://app.example/path' }, 'CORS_ORIGINS', ['gateway', 'system']],
  ] as const)('refuses %p with a message naming %s (%p)', (env, variable, readers) => {
    for (const reader of readers) {
      expect(() => loaders[reader](env)).toThrow(ConfigError);
      expect(() => loaders[reader](env)).toThrow(variable);
    }
  });

  it('names every bad variable in one error, whichever module declares it', () => {
    const env = {
      PORT: 'eighty',
      PDS_TIMEOUT_MS: '-5',
      GPCONNECT_CONSUMER_ASID: 'asid-1',
      LOG_LEVEL: 'loud',
    };
    let message = '';
    try {
      loadSystemConfig(env);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      message = (error as Error).message;
    }
    for (const variable of Object.keys(env)) expect(message).toContain(`  ${variable}: `);
  });

  // The reference says 0 turns the verified-token cache off; a positive-only check refused it.
  it('accepts 0 where a cache size documents 0 as "off", and refuses a negative size', () => {
    expect(loadGatewayConfig({ TOKEN_CACHE_ENTRIES: '0' }).identity.tokenCacheEntries).toBe(0);
    expect(() => loadGatewayConfig({ TOKEN_CACHE_ENTRIES: '-1' })).toThrow('TOKEN_CACHE_ENTRIES');
  });

  it('requires INTERNAL_TOKEN_SECRET in production, for every process', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow('INTERNAL_TOKEN_SECRET: is required');
    expect(() => loadSubgraphConfig(demographics, { NODE_ENV: 'production' })).toThrow(
      'INTERNAL_TOKEN_SECRET',
    );
  });
});
