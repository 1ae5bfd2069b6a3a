// The PDS adapter behind a stable interface. The only place the demographics subgraph makes
// network calls; FHIR parsing and mapping are delegated to fhir.ts and mapping.ts.
import type { GraphQLError } from 'graphql';
import { mapWithConcurrency } from '../../platform/concurrency.js';
import type { UpstreamClient, UpstreamResponse } from '../../platform/http.js';
import type { UpstreamRead } from '../../platform/audit/index.js';
import { ErrorCode, errorCodeOf, upstreamInvalidResponse } from '../../platform/errors.js';
import type { RequestScope } from '../../platform/subgraph.js';
import { parsePdsOperationOutcome, parsePdsPatient, parsePdsSearchBundle } from './fhir.js';
import { toPatientMatches, toPatientRecord, toPdsSearchParams, toUpstreamError } from './mapping.js';
import type { PatientMatch, PatientRecord, PatientSearchCriteria } from './model.js';

export interface DemographicsSource {
  /** One result per number, in order: the record, or the error for that number. */
  getPatients(nhsNumbers: readonly string[]): Promise<Array<PatientRecord | GraphQLError>>;
  searchPatients(criteria: PatientSearchCriteria): Promise<PatientMatch[]>;
}

/** PDS's default rate limit is 5 TPS per application; stay within it per request. */
const PDS_CONCURRENCY = 5;

export function createPdsSource(
  client: UpstreamClient,
  scope: Pick<RequestScope, 'correlationId' | 'audit'>,
): DemographicsSource {
  const { correlationId, audit } = scope;
  const getPatient = async (nhsNumber: string): Promise<PatientRecord | GraphQLError> => {
    try {
      const response = await client.request({ path: `/Patient/${nhsNumber}`, correlationId });
      if (response.status !== 200) return errorFrom(response);
      const parsed = parsePdsPatient(response.body);
      if (!parsed.success) return upstreamInvalidResponse(client.name);
      return toPatientRecord(parsed.data, { requestedNhsNumber: nhsNumber, retrievedAt: now() });
    } catch (error) {
      return error as GraphQLError;
    }
  };

  return {
    async getPatients(nhsNumbers) {
      const results = await mapWithConcurrency(nhsNumbers, PDS_CONCURRENCY, getPatient);
      // Nothing is served unaudited: if the reads cannot be recorded, every result is that error.
      try {
        await audit.recordReads(
          client.name,
          results.map((result, i) => auditedRead(result, nhsNumbers[i] ?? null)),
        );
      } catch (error) {
        return results.map(() => error as GraphQLError);
      }
      return results;
    },
    async searchPatients(criteria) {
      const response = await client.request({
        path: '/Patient',
        query: toPdsSearchParams(criteria),
        correlationId,
      });
      if (response.status !== 200) throw errorFrom(response);
      const parsed = parsePdsSearchBundle(response.body);
      // PDS answers TOO_MANY_MATCHES as a 200 carrying an OperationOutcome (patient-search.yaml).
      if (!parsed.success) throw errorFrom(response);
      const matches = toPatientMatches(parsed.data, { retrievedAt: now() });
      const reads = matches.map((match) => auditedRead(match.patient, match.patient.nhsNumber));
      await audit.recordReads(
        client.name,
        reads.length > 0 ? reads : [{ nhsNumber: null, resourceTypes: ['Patient'], outcome: 'not-found' }],
      );
      return matches;
    },
  };
}

function errorFrom(response: UpstreamResponse): GraphQLError {
  const outcome = parsePdsOperationOutcome(response.body);
  const retryAfter = Number(response.headers.get('retry-after'));
  return toUpstreamError(
    response.status,
    outcome.success ? outcome.data : null,
    Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
  );
}

const now = () => new Date().toISOString();

function auditedRead(result: PatientRecord | GraphQLError, nhsNumber: string | null): UpstreamRead {
  if (!(result instanceof Error))
    return { nhsNumber: result.nhsNumber, resourceTypes: ['Patient'], outcome: 'read' };
  const code = errorCodeOf(result) ?? null;
  return {
    nhsNumber,
    resourceTypes: ['Patient'],
    outcome: code === ErrorCode.NOT_FOUND ? 'not-found' : 'error',
    detail: code,
  };
}
