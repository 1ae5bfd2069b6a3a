// The building blocks of every subgraph's permissions.ts (graphql-shield). Deny by default;
// federation's own fields are allowed explicitly so the gateway can load and join subgraphs;
// a denial is FORBIDDEN at the field's path and says nothing about the data behind it.
import { GraphQLError, isObjectType, type GraphQLSchema } from 'graphql';
import { middleware, type IMiddlewareFunction, type IMiddlewareGenerator } from 'graphql-middleware';
import { allow, deny, rule, shield } from 'graphql-shield';
import type { RequestAudit } from './audit/request-audit.js';
import type { IRules } from 'graphql-shield';
import { ErrorCode } from './errors.js';
import type { Principal } from './principal.js';

export { allow, and, deny, or } from 'graphql-shield';

export interface AuthorisationContext {
  principal: Principal;
  audit: RequestAudit;
}

const RULE = Symbol('rule');

/** A denial. The rule's name rides along for the audit trail but is never sent to the client. */
export const forbidden = (rule = 'fallback:deny'): GraphQLError => {
  const error = new GraphQLError('You are not allowed to see this field.', {
    extensions: { code: ErrorCode.FORBIDDEN },
  });
  Object.defineProperty(error, RULE, { value: rule, enumerable: false });
  return error;
};

/**
 * A refusal made by a rule here, not an upstream's FORBIDDEN (GP Connect NO_PATIENT_CONSENT, say),
 * which the source audits as that read's outcome: only the graph's own decisions are denials.
 */
const isDenial = (value: unknown): value is GraphQLError =>
  value instanceof GraphQLError && Object.prototype.hasOwnProperty.call(value, RULE);

const nhsNumberIn = (value: unknown): string | null => {
  const candidate =
    typeof value === 'object' && value !== null ? (value as { nhsNumber?: unknown }).nhsNumber : undefined;
  return typeof candidate === 'string' ? candidate : null;
};

/**
 * Records every denied field in the request's audit trail (outermost middleware, so it sees
 * the shield's denials, cached or not).
 */
export const auditDenials: IMiddlewareFunction<
  unknown,
  AuthorisationContext,
  Record<string, unknown>
> = async (resolve, parent, args, context, info) => {
  const note = (error: GraphQLError) =>
    context.audit.recordDenial(
      `${info.parentType.name}.${info.fieldName}`,
      (error as unknown as Record<symbol, string | undefined>)[RULE] ?? 'fallback:deny',
      nhsNumberIn(args) ?? nhsNumberIn(parent),
    );
  try {
    const result: unknown = await resolve(parent, args, context, info);
    if (isDenial(result)) note(result);
    return result;
  } catch (error) {
    if (isDenial(error)) note(error);
    throw error;
  }
};

/** A rule over the caller alone; its result is cached for the rest of the request. */
export const callerRule = (name: string, check: (principal: Principal) => boolean) =>
  rule(name, { cache: 'contextual' })((_parent, _args, context: AuthorisationContext) =>
    check(context.principal) ? true : forbidden(name),
  );

/** A rule over the caller and the object or arguments in hand; evaluated every time. */
export const recordRule = <TParent, TArgs = Record<string, unknown>>(
  name: string,
  check: (principal: Principal, parent: TParent, args: TArgs) => boolean,
) =>
  rule(name, { cache: 'no_cache' })((parent: TParent, args: TArgs, context: AuthorisationContext) =>
    check(context.principal, parent, args) ? true : forbidden(name),
  );

export const isStaffWithAny = (activities: readonly string[]) => (principal: Principal) =>
  principal.kind === 'staff' && principal.activities.some((activity) => activities.includes(activity));

export const isPartnerWith = (scope: string) => (principal: Principal) =>
  principal.kind === 'partner' && principal.scopes.includes(scope);

const PROOFING_ORDER = ['P0', 'P5', 'P9'] as const;

/** A citizen proofed to at least `level` whose own NHS number is one of `nhsNumbers`. */
export const isCitizenOwning = (principal: Principal, nhsNumbers: readonly string[], level: 'P5' | 'P9') =>
  principal.kind === 'citizen' &&
  principal.nhsNumber !== null &&
  principal.proofingLevel !== null &&
  PROOFING_ORDER.indexOf(principal.proofingLevel) >= PROOFING_ORDER.indexOf(level) &&
  nhsNumbers.includes(principal.nhsNumber);

export type RuleTree = Record<string, IRules>;

const SHARED_VALUE_TYPES = new Set(['Coding', 'Concept', 'Provenance']);

/** The shield for one subgraph: its rule tree plus federation's fields, denying everything else. */
export function createPermissions(rules: RuleTree): IMiddlewareGenerator<unknown, unknown, unknown> {
  // Built against the schema it is applied to, since only subgraphs with entities have _entities.
  return middleware((schema: GraphQLSchema) => {
    const hasEntities = schema.getQueryType()?.getFields()['_entities'] !== undefined;
    const merged = {
      ...rules,
      // Federation's own fields: the gateway's composition and entity joins need them.
      Query: { ...rules['Query'], _service: allow, ...(hasEntities ? { _entities: allow } : {}) },
      _Service: allow,
      // Canonical value types (schema/shared.graphql) are reachable only through a field whose
      // own rule already allowed it.
      Coding: allow,
      Concept: allow,
      Provenance: allow,
    } as IRules;
    return shield(merged, {
      fallbackRule: deny,
      fallbackError: () => forbidden(),
      // Our resolvers' own coded errors (NOT_FOUND, UPSTREAM_UNAVAILABLE) must reach the client.
      allowExternalErrors: true,
      debug: false,
    }).generate(schema);
  });
}

/**
 * Every object type and field of a subgraph schema with no explicit rule (a type-wide rule, a
 * `*` rule or the field's own). Federation's fields are covered by createPermissions. A test
 * per subgraph asserts this is empty, so a new field cannot ship without a rule.
 */
export function fieldsWithoutRule(schema: GraphQLSchema, rules: RuleTree): string[] {
  const missing: string[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('_') || SHARED_VALUE_TYPES.has(type.name)) continue;
    const typeRules: unknown = rules[type.name];
    if (typeof typeRules === 'object' && typeRules !== null && !('resolve' in typeRules)) {
      const fieldRules = typeRules as Record<string, unknown>;
      for (const field of Object.keys(type.getFields())) {
        if (field.startsWith('_') || field in fieldRules || '*' in fieldRules) continue;
        missing.push(`${type.name}.${field}`);
      }
    } else if (typeRules === undefined) {
      missing.push(type.name);
    }
  }
  return missing;
}
