// Refuses invalid canonical inputs (a bad NHS number, an impossible date) at the edge, before
// any query planning or subgraph call. See platform/input-validation.ts.
//
// Literals are checked during validation, whose result Yoga caches per document. Variables are
// checked at execution, per request: a variable-dependent validation rule would have its first
// result reused for every later request with the same document (leaking the first caller's
// value and skipping the check for others).
import type { GatewayPlugin } from '@graphql-hive/gateway-runtime';
import { validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import { canonicalInputRule } from '../platform/input-validation.js';

const literalsOnly = canonicalInputRule(undefined);

export function useCanonicalInputValidation(): GatewayPlugin {
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(literalsOnly);
    },
    onExecute({ args, setResultAndStopExecution }) {
      const variables = args.variableValues as Record<string, unknown> | null | undefined;
      if (!variables || Object.keys(variables).length === 0) return;
      const errors = validate(args.schema as GraphQLSchema, args.document as DocumentNode, [
        canonicalInputRule(variables),
      ]);
      if (errors.length > 0) setResultAndStopExecution({ errors });
    },
  };
}
