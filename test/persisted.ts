// Partners run persisted operations only: send one from a partner's manifest by documentId.
import { loadPartners } from '../gateway/partners.js';
import type { GraphQLResponse } from './graphql-client.js';
import { bearer } from './tokens.js';

export async function postPersisted(
  gatewayUrl: string,
  clientId: string,
  operationName: string,
  variables: Record<string, unknown>,
  token: string,
  headers: Record<string, string> = {},
): Promise<Omit<GraphQLResponse, 'headers'>> {
  const operation = [...(loadPartners().partner(clientId)?.operations.values() ?? [])].find(
    (op) => op.name === operationName,
  );
  if (!operation) throw new Error(`${clientId} has no persisted operation ${operationName}`);
  const response = await fetch(gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...bearer(token), ...headers },
    body: JSON.stringify({ documentId: operation.id, variables }),
  });
  return { status: response.status, body: (await response.json()) as GraphQLResponse['body'] };
}
