// The one way a source turns an upstream answer that is not the data it asked for into a graph
// error: the service's own OperationOutcome parser (fhir.ts) and its own rules (mapping.ts) —
// each national service words its errors differently — with the Retry-After the call carried.
import type { GraphQLError } from 'graphql';
import type { ParseResult } from './fhir.js';
import { retryAfterSeconds, type UpstreamResponse } from './http.js';

export type UpstreamErrorRules<Outcome> = (
  status: number,
  outcome: Outcome | null,
  retryAfterSeconds?: number,
) => GraphQLError;

/** `errorFrom(response)` for one service: its outcome (null when the body is not one) through its rules. */
export function upstreamErrorMapper<Outcome>(
  parseOutcome: (body: unknown) => ParseResult<Outcome>,
  rules: UpstreamErrorRules<Outcome>,
): (response: UpstreamResponse) => GraphQLError {
  return (response) => {
    const outcome = parseOutcome(response.body);
    return rules(response.status, outcome.success ? outcome.data : null, retryAfterSeconds(response));
  };
}
