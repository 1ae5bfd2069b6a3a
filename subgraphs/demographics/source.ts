// The PDS adapter behind a stable interface. The only place the demographics subgraph makes
// network calls; FHIR parsing and mapping are delegated to fhir.ts and mapping.ts.
import type { GraphQLError } from 'graphql';
import { mapWithConcurrency } from '../../platform/concurrency.js';
import type { UpstreamClient, UpstreamResponse } from '../../platform/http.js';
import { upstreamInvalidResponse } from '../../platform/errors.js';
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

export function createPdsSource(client: UpstreamClient, correlationId: string): DemographicsSource {
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
    getPatients: (nhsNumbers) => mapWithConcurrency(nhsNumbers, PDS_CONCURRENCY, getPatient),
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
      return toPatientMatches(parsed.data, { retrievedAt: now() });
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
