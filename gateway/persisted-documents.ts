// Which document a request may run. Partners run only operations from their own manifest, sent
// by id (`documentId`, or Apollo's `extensions.persistedQuery.sha256Hash`): nothing free-form,
// nothing from another partner's manifest. First-party apps (NHS login, CIS2) may send free-form
// queries, and may use Apollo's automatic persisted queries (APQ): a hash alone runs a query
// registered before; a hash with its query registers it once the query has validated.
// Everything here runs before parsing, so a refused request never reaches a subgraph.
import type { GatewayPlugin } from '@graphql-hive/gateway-runtime';
import { GraphQLError } from 'graphql';
import type { Keyv } from 'keyv';
import { withTimeout } from '../platform/concurrency.js';
import { ErrorCode } from '../platform/errors.js';
import { REDIS_COMMAND_TIMEOUT_MS } from '../platform/keyv-store.js';
import type { Logger } from '../platform/logger.js';
import type { Principal } from '../platform/principal.js';
import { principalOf, unauthenticated } from './authentication.js';
import { correlationIdOf } from './correlation.js';
import { documentIdOf, type PartnerDirectory } from './partners.js';

/** Registered APQ documents by id (platform/keyv-store.ts: memory, or Redis shared by replicas). */
export interface PersistedQueryStore {
  get(id: string): Promise<string | undefined>;
  set(id: string, query: string): Promise<unknown>;
}

/**
 * An APQ store over keyv; each registration lasts `ttlSeconds` from its latest registration.
 * A store that fails or is slow (Redis away) answers "not registered" and skips registrations:
 * the client falls back to sending the full query, and nothing waits on Redis.
 */
export const persistedQueryStore = (keyv: Keyv<string>, ttlSeconds: number): PersistedQueryStore => ({
  get: (id) => withTimeout(keyv.get(id), REDIS_COMMAND_TIMEOUT_MS).catch(() => undefined),
  set: (id, query) => withTimeout(keyv.set(id, query, ttlSeconds * 1000), REDIS_COMMAND_TIMEOUT_MS),
});

export interface DocumentRequest {
  /** `documentId`, else Apollo's `extensions.persistedQuery.sha256Hash`. */
  id: string | undefined;
  query: string | undefined;
}

export type Resolution =
  /** Run the query as sent (first-party free-form). */
  | { kind: 'as-sent' }
  /** Run this document; `register` when it is a new APQ registration. */
  | { kind: 'document'; query: string; register?: string }
  | { kind: 'refused'; error: GraphQLError };

const refused = (code: ErrorCode, message: string, status?: number): Resolution => ({
  kind: 'refused',
  error: new GraphQLError(message, { extensions: { code, ...(status ? { http: { status } } : {}) } }),
});

/** Pure: what a partner's request may run. */
export function resolvePartnerDocument(
  partners: PartnerDirectory,
  principal: Principal,
  { id, query }: DocumentRequest,
): Resolution {
  const partner = partners.partner(principal.subject);
  if (!partner) {
    return refused(ErrorCode.FORBIDDEN, `Partner client '${principal.subject}' is not onboarded.`, 403);
  }
  const onboarded = new Set<string>(partner.config.scopes);
  const unexpected = principal.scopes.filter((scope) => !onboarded.has(scope));
  if (unexpected.length > 0) {
    // The issuer granted more than the gateway onboarded the partner for: trust neither.
    return refused(ErrorCode.FORBIDDEN, `The token carries scopes this partner does not hold.`, 403);
  }
  if (query !== undefined || id === undefined) {
    return refused(
      ErrorCode.PERSISTED_QUERY_NOT_ALLOWED,
      'Partners may run only the persisted operations in their manifest, sent by id, without a query.',
      400,
    );
  }
  const operation = partner.operations.get(id);
  if (operation) return { kind: 'document', query: operation.body };
  if (partners.isKnownDocument(id)) {
    return refused(ErrorCode.PERSISTED_QUERY_NOT_ALLOWED, 'That operation is not in your manifest.', 400);
  }
  return refused(ErrorCode.PERSISTED_QUERY_NOT_FOUND, 'PersistedQueryNotFound', 400);
}

/** What a first-party app's request may run (APQ, Apollo's protocol). */
export async function resolveFirstPartyDocument(
  store: PersistedQueryStore,
  { id, query }: DocumentRequest,
): Promise<Resolution> {
  if (id === undefined) return { kind: 'as-sent' };
  if (query !== undefined) {
    if (documentIdOf(query) !== id) {
      return refused(
        ErrorCode.PERSISTED_QUERY_HASH_MISMATCH,
        'The persisted query hash is not the sha256 of the query sent with it.',
        400,
      );
    }
    return { kind: 'document', query, register: id };
  }
  const registered = await store.get(id);
  // The message and code are what Apollo clients look for before retrying with the full query; they
  // read them from the body of a 4xx too (platform/errors.ts, PERSISTED_QUERY_NOT_FOUND).
  if (registered === undefined) {
    return refused(ErrorCode.PERSISTED_QUERY_NOT_FOUND, 'PersistedQueryNotFound', 400);
  }
  return { kind: 'document', query: registered };
}

interface RequestParams {
  query?: unknown;
  operationName?: unknown;
  variables?: unknown;
  extensions?: unknown;
  documentId?: unknown;
}

/** The document id a request names: `documentId` (body, or query string on GET), else APQ's hash. */
export function documentRequestOf(params: RequestParams, request: Request): DocumentRequest {
  const fromUrl = request.method === 'GET' ? new URL(request.url).searchParams.get('documentId') : null;
  const documentId = typeof params.documentId === 'string' ? params.documentId : fromUrl;
  const persisted = (params.extensions as { persistedQuery?: { version?: unknown; sha256Hash?: unknown } })
    ?.persistedQuery;
  const hash =
    persisted?.version === 1 && typeof persisted.sha256Hash === 'string' ? persisted.sha256Hash : null;
  const id = (documentId || hash || undefined)?.toLowerCase();
  const query = typeof params.query === 'string' && params.query !== '' ? params.query : undefined;
  return { id, query };
}

export interface PersistedDocumentsOptions {
  partners: PartnerDirectory;
  store: PersistedQueryStore;
  logger: Logger;
}

export function usePersistedDocuments(options: PersistedDocumentsOptions): GatewayPlugin {
  const { partners, store, logger } = options;
  // Registrations wait until the document has parsed and validated (the params object a
  // request ends up with is the key), so the store never holds a query the graph refuses.
  const pending = new WeakMap<object, { id: string; query: string }>();
  return {
    async onParams({ params, request, setParams }) {
      const principal = principalOf(request);
      if (!principal) throw unauthenticated();
      const asked = documentRequestOf(params as RequestParams, request);
      const resolution =
        principal.kind === 'partner'
          ? resolvePartnerDocument(partners, principal, asked)
          : await resolveFirstPartyDocument(store, asked);
      if (resolution.kind === 'refused') throw resolution.error;
      if (resolution.kind === 'as-sent') return;
      const { operationName, variables, extensions } = params as RequestParams;
      // Only the four standard parameters go on (`documentId` would be refused further in).
      const next = { query: resolution.query, operationName, variables, extensions } as typeof params;
      if (resolution.register) pending.set(next, { id: resolution.register, query: resolution.query });
      setParams(next);
    },
    async onExecute({ args }) {
      const params = (args.contextValue as { params?: object }).params;
      const registration = params && pending.get(params);
      if (!registration) return;
      pending.delete(params);
      try {
        await store.set(registration.id, registration.query);
      } catch (error) {
        // The query still runs; the client simply registers it again next time.
        const request = (args.contextValue as { request?: Request }).request;
        logger.warn(
          { err: error, correlationId: request && correlationIdOf(request) },
          'could not register a persisted query',
        );
      }
    },
  };
}
