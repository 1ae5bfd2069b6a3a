// Refuses invalid canonical inputs (a bad NHS number, an impossible date) at the edge, before
// any query planning or subgraph call. See platform/input-validation.ts.
import type { GatewayPlugin } from '@graphql-hive/gateway-runtime';
import { canonicalInputRule } from '../platform/input-validation.js';

export function useCanonicalInputValidation(): GatewayPlugin {
  return {
    onValidate({ context, addValidationRule }) {
      const params = (context as { params?: { variables?: Record<string, unknown> } }).params;
      addValidationRule(canonicalInputRule(params?.variables));
    },
  };
}
