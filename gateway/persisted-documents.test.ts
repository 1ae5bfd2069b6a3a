// Which document a request may run, decided before anything is parsed (the HTTP behaviour is in
// test/edge.e2e.test.ts).
import { partner } from '../test/principals.js';
import { errorCodeOf } from '../platform/errors.js';
import { PartnerScope } from '../platform/rbac.js';
import { documentIdOf, type Partner, type PartnerDirectory, type PersistedOperation } from './partners.js';
import {
  documentRequestOf,
  resolveFirstPartyDocument,
  resolvePartnerDocument,
  type PersistedQueryStore,
  type Resolution,
} from './persisted-documents.js';

const operation = (name: string, body: string): PersistedOperation => ({
  id: documentIdOf(body),
  name,
  type: 'query',
  body,
});
const ACME_OP = operation('Demographics', 'query Demographics { me { subject } }');
const OTHER_OP = operation('Other', 'query Other { me { kind } }');

const onboarded = (clientId: string, ops: PersistedOperation[], scopes: string[]): Partner => ({
  config: {
    clientId,
    name: clientId,
    scopes: scopes as Partner['config']['scopes'],
    rateLimit: { requests: 10, windowSeconds: 60 },
  },
  operations: new Map(ops.map((op) => [op.id, op])),
});

const partners: PartnerDirectory = (() => {
  const all = [
    onboarded('acme', [ACME_OP], [PartnerScope.DEMOGRAPHICS_READ, PartnerScope.ORGANISATION_READ]),
    onboarded('other', [OTHER_OP], [PartnerScope.ORGANISATION_READ]),
  ];
  return {
    partners: all,
    partner: (clientId) => all.find((p) => p.config.clientId === clientId),
    isKnownDocument: (id) => all.some((p) => p.operations.has(id)),
  };
})();

const codeOf = (resolution: Resolution) =>
  resolution.kind === 'refused' ? errorCodeOf(resolution.error) : resolution.kind;

describe('resolvePartnerDocument', () => {
  const acme = partner([PartnerScope.DEMOGRAPHICS_READ]);

  it('runs an operation from the partner’s own manifest, by id', () => {
    expect(resolvePartnerDocument(partners, acme, { id: ACME_OP.id, query: undefined })).toEqual({
      kind: 'document',
      query: ACME_OP.body,
    });
  });

  it.each([
    ['a free-form query', { id: undefined, query: '{ me { subject } }' }, 'PERSISTED_QUERY_NOT_ALLOWED'],
    [
      'its own operation’s text (not its id)',
      { id: undefined, query: ACME_OP.body },
      'PERSISTED_QUERY_NOT_ALLOWED',
    ],
    [
      'an id with a query (APQ registration)',
      { id: ACME_OP.id, query: ACME_OP.body },
      'PERSISTED_QUERY_NOT_ALLOWED',
    ],
    ['another partner’s operation', { id: OTHER_OP.id, query: undefined }, 'PERSISTED_QUERY_NOT_ALLOWED'],
    ['an unknown id', { id: documentIdOf('{ x }'), query: undefined }, 'PERSISTED_QUERY_NOT_FOUND'],
    ['nothing at all', { id: undefined, query: undefined }, 'PERSISTED_QUERY_NOT_ALLOWED'],
  ])('refuses %s', (_case, asked, code) => {
    expect(codeOf(resolvePartnerDocument(partners, acme, asked))).toBe(code);
  });

  it('refuses a partner that is not onboarded', () => {
    const stranger = { ...acme, subject: 'stranger' };
    expect(codeOf(resolvePartnerDocument(partners, stranger, { id: ACME_OP.id, query: undefined }))).toBe(
      'FORBIDDEN',
    );
  });

  it('refuses a token with a scope the partner was not onboarded for', () => {
    const overGranted = partner([PartnerScope.DEMOGRAPHICS_READ, PartnerScope.CONTACT_READ]);
    expect(codeOf(resolvePartnerDocument(partners, overGranted, { id: ACME_OP.id, query: undefined }))).toBe(
      'FORBIDDEN',
    );
  });
});

describe('resolveFirstPartyDocument (APQ)', () => {
  const QUERY = '{ me { subject } }';
  const memoryStore = (): PersistedQueryStore & { entries: Map<string, string> } => {
    const entries = new Map<string, string>();
    return {
      entries,
      get: (id) => Promise.resolve(entries.get(id)),
      set: (id, query) => Promise.resolve(entries.set(id, query)),
    };
  };

  it('runs a free-form query as sent', async () => {
    expect(await resolveFirstPartyDocument(memoryStore(), { id: undefined, query: QUERY })).toEqual({
      kind: 'as-sent',
    });
  });

  it('answers PERSISTED_QUERY_NOT_FOUND for an unregistered hash, Apollo’s message included', async () => {
    const resolution = await resolveFirstPartyDocument(memoryStore(), {
      id: documentIdOf(QUERY),
      query: undefined,
    });
    expect(codeOf(resolution)).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect(resolution.kind === 'refused' && resolution.error.message).toBe('PersistedQueryNotFound');
  });

  it('registers a hash sent with its query, and runs a registered hash alone', async () => {
    const store = memoryStore();
    const id = documentIdOf(QUERY);
    expect(await resolveFirstPartyDocument(store, { id, query: QUERY })).toEqual({
      kind: 'document',
      query: QUERY,
      register: id,
    });
    await store.set(id, QUERY);
    expect(await resolveFirstPartyDocument(store, { id, query: undefined })).toEqual({
      kind: 'document',
      query: QUERY,
    });
  });

  it('refuses a hash that is not the sha256 of the query sent with it', async () => {
    const resolution = await resolveFirstPartyDocument(memoryStore(), {
      id: documentIdOf('{ other }'),
      query: QUERY,
    });
    expect(codeOf(resolution)).toBe('PERSISTED_QUERY_HASH_MISMATCH');
  });
});

describe('documentRequestOf', () => {
  const post = new Request('http://gateway/graphql', { method: 'POST' });
  const hash = documentIdOf('{ a }');

  it('reads documentId, then Apollo’s persistedQuery hash', () => {
    expect(documentRequestOf({ documentId: hash }, post)).toEqual({ id: hash, query: undefined });
    expect(
      documentRequestOf(
        { query: '{ a }', extensions: { persistedQuery: { version: 1, sha256Hash: hash } } },
        post,
      ),
    ).toEqual({ id: hash, query: '{ a }' });
  });

  it('reads documentId from the query string of a GET', () => {
    const get = new Request(`http://gateway/graphql?documentId=${hash}`);
    expect(documentRequestOf({}, get)).toEqual({ id: hash, query: undefined });
  });

  it('ignores a persistedQuery extension of an unknown version', () => {
    expect(
      documentRequestOf({ extensions: { persistedQuery: { version: 2, sha256Hash: hash } } }, post),
    ).toEqual({
      id: undefined,
      query: undefined,
    });
  });
});
