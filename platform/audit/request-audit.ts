// The audit trail of one request. Reads are recorded before their data is returned, and if
// they cannot be stored the read is refused (AUDIT_UNAVAILABLE): nothing is served unaudited.
// Denied fields are recorded when the request ends (no data was served for them).
import type { GraphQLError } from 'graphql';
import { graphError, ErrorCode, errorCodeOf } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Principal } from '../principal.js';
import type { AuditEvent, AuditOutcome } from './record.js';
import type { AuditStore } from './store.js';

export interface UpstreamRead {
  nhsNumber: string | null;
  resourceTypes: string[];
  outcome: Exclude<AuditOutcome, 'denied'>;
  /** The error code, for outcome `error`. */
  detail?: string | null;
}

export interface RequestAudit {
  /** Set once the operation is known (subgraph plugin, after parsing). */
  setOperation(name: string | null, fields: string[]): void;
  /** The operation's name as audited: the client's, as the gateway signed it, else the subgraph's. */
  operationName(): string | null;
  /** Records what a request did with one upstream service (reads, refusals, writes requested and
   *  written); rejects with AUDIT_UNAVAILABLE if it cannot. */
  recordAccess(service: string, reads: UpstreamRead[]): Promise<void>;
  /** Notes a field the graph refused; written by `flush` when the request ends. */
  recordDenial(field: string, rule: string, nhsNumber: string | null): void;
  flush(): Promise<void>;
}

export function createRequestAudit(
  store: AuditStore,
  scope: {
    correlationId: string;
    principal: Principal;
    logger: Logger;
    /** The client's operation name as the gateway signed it; it wins over the subgraph operation's own. */
    clientOperationName?: string | null;
  },
): RequestAudit {
  let operation: { name: string | null; fields: string[] } = { name: null, fields: [] };
  const denials: AuditEvent[] = [];
  const event = (
    partial: Pick<
      AuditEvent,
      'service' | 'resourceTypes' | 'nhsNumber' | 'outcome' | 'detail' | 'authorisation'
    >,
  ): AuditEvent => ({
    at: new Date().toISOString(),
    correlationId: scope.correlationId,
    principal: {
      kind: scope.principal.kind,
      subject: scope.principal.subject,
      issuer: scope.principal.issuer,
      roleId: scope.principal.roleId,
      orgCode: scope.principal.orgCode,
    },
    operationName: operation.name,
    fields: operation.fields,
    ...partial,
  });

  return {
    setOperation(name, fields) {
      operation = { name: scope.clientOperationName ?? name, fields };
    },
    operationName: () => operation.name,
    async recordAccess(service, reads) {
      const events = reads.map((read) =>
        event({
          service,
          resourceTypes: read.resourceTypes,
          nhsNumber: read.nhsNumber,
          outcome: read.outcome,
          detail: read.detail ?? null,
          authorisation: authorisationBasis(scope.principal),
        }),
      );
      try {
        await store.append(events);
      } catch (error) {
        scope.logger.error({ err: error }, 'audit store unavailable: refusing the read');
        throw graphError(
          ErrorCode.AUDIT_UNAVAILABLE,
          'The audit trail is unavailable, so this data cannot be shown just now.',
        );
      }
    },
    recordDenial(field, rule, nhsNumber) {
      denials.push(
        event({
          service: 'nhs-graph',
          resourceTypes: [],
          nhsNumber,
          outcome: 'denied',
          detail: field,
          authorisation: `rule:${rule}`,
        }),
      );
    },
    async flush() {
      if (denials.length === 0) return;
      const pending = denials.splice(0);
      await store.append(pending).catch((error: unknown) => {
        scope.logger.error({ err: error, denials: pending.length }, 'could not audit denied fields');
      });
    },
  };
}

/** The credential basis that allowed a read: role and activities, proofing level, or scopes. */
export function authorisationBasis(principal: Principal): string {
  switch (principal.kind) {
    case 'staff': {
      const role = principal.roles.find((candidate) => candidate.roleId === principal.roleId);
      return `cis2 role ${role?.roleCode ?? 'none'} at ${principal.orgCode ?? 'none'} activities ${principal.activities.join(',')}`;
    }
    case 'citizen':
      return `nhs-login self ${principal.proofingLevel ?? 'P0'}`;
    case 'partner':
      return `client ${principal.subject} scopes ${principal.scopes.join(',')}`;
  }
}

/**
 * Nothing is served unaudited: `results` as they are once `reads` are recorded; if they cannot
 * be, every result is that error (AUDIT_UNAVAILABLE).
 */
export async function servedIfAudited<T>(
  audit: Pick<RequestAudit, 'recordAccess'>,
  service: string,
  reads: UpstreamRead[],
  results: Array<T | GraphQLError>,
): Promise<Array<T | GraphQLError>> {
  try {
    await audit.recordAccess(service, reads);
    return results;
  } catch (error) {
    return results.map(() => error as GraphQLError);
  }
}

/** The audit record of a read that failed: `not-found` for NOT_FOUND, else `error`, with the code. */
export function failedRead(nhsNumber: string | null, resourceTypes: string[], error: unknown): UpstreamRead {
  const code = errorCodeOf(error) ?? null;
  return {
    nhsNumber,
    resourceTypes,
    outcome: code === ErrorCode.NOT_FOUND ? 'not-found' : 'error',
    detail: code,
  };
}
