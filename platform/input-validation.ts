// Validates canonical scalar inputs (NhsNumber, Date, DateTime) wherever they appear in an
// operation — literal or variable, at the top level or inside an input object — and names the
// argument at fault (or `$variable` for a bad default value, which is checked with the literals
// so it is refused before anything runs). The gateway runs it before planning, so a bad NHS number is refused at the
// edge with BAD_USER_INPUT and no subgraph or upstream is called. Subgraphs still validate the
// same values through the scalars themselves (defence in depth).
import {
  GraphQLError,
  GraphQLInputObjectType,
  GraphQLList,
  GraphQLNonNull,
  Kind,
  type GraphQLInputType,
  type ValidationRule,
  type ValueNode,
} from 'graphql';
import { ErrorCode } from './errors.js';
import { scalarResolvers } from './scalars.js';

const canonicalScalars: Record<string, { parseValue(value: unknown): unknown }> = scalarResolvers;

export function canonicalInputRule(variables: Readonly<Record<string, unknown>> | undefined): ValidationRule {
  return (context) => {
    const inputFields: string[] = [];
    // A variable's default value is a literal outside any argument; it is named by its variable.
    let defaulted: string | undefined;

    const check = (node: ValueNode, type: GraphQLInputType | null | undefined, value: unknown) => {
      const argument = context.getArgument()?.name ?? defaulted;
      if (!type || argument === undefined) return;
      const found = firstProblem(type, value, []);
      if (found === undefined) return;
      const problem = found.message;
      const where = [argument, ...inputFields, ...found.fields].join('.');
      context.reportError(
        new GraphQLError(`Argument "${where}" is invalid: ${problem}`, {
          nodes: node,
          extensions: { code: ErrorCode.BAD_USER_INPUT, argument: where },
        }),
      );
    };

    // A number or boolean literal where a string scalar is expected is itself the problem.
    const checkLiteral = (node: ValueNode & { value: string | boolean }) => {
      const value = node.kind === Kind.INT || node.kind === Kind.FLOAT ? Number(node.value) : node.value;
      check(node, context.getInputType(), value);
    };

    return {
      VariableDefinition: {
        enter: (node) => void (defaulted = `$${node.variable.name.value}`),
        leave: () => void (defaulted = undefined),
      },
      ObjectField: {
        enter: (node) => void inputFields.push(node.name.value),
        leave: () => void inputFields.pop(),
      },
      StringValue: checkLiteral,
      IntValue: checkLiteral,
      FloatValue: checkLiteral,
      BooleanValue: checkLiteral,
      Variable(node) {
        if (defaulted !== undefined) return; // the definition itself, not a use
        const value = variables?.[node.name.value];
        if (value !== undefined && value !== null) check(node, context.getInputType(), value);
      },
    };
  };
}

interface Problem {
  message: string;
  /** Input-object fields below the point checked, for a variable holding an object. */
  fields: string[];
}

/** The scalar's own error for the first invalid value, walking lists and input objects. */
function firstProblem(type: GraphQLInputType, value: unknown, fields: string[]): Problem | undefined {
  if (type instanceof GraphQLNonNull) return firstProblem(type.ofType, value, fields);
  if (type instanceof GraphQLList) {
    const items = Array.isArray(value) ? value : [value];
    return firstOf(items, (item) => firstProblem(type.ofType, item, fields));
  }
  if (type instanceof GraphQLInputObjectType) {
    if (typeof value !== 'object' || value === null) return undefined;
    const entries = Object.entries(value as Record<string, unknown>);
    return firstOf(entries, ([name, fieldValue]) => {
      const field = type.getFields()[name];
      return field ? firstProblem(field.type, fieldValue, [...fields, name]) : undefined;
    });
  }
  const scalar = canonicalScalars[type.name];
  if (!scalar) return undefined;
  try {
    scalar.parseValue(value);
    return undefined;
  } catch (error) {
    return { message: error instanceof Error ? error.message : 'invalid value', fields };
  }
}

function firstOf<T>(items: readonly T[], check: (item: T) => Problem | undefined): Problem | undefined {
  for (const item of items) {
    if (item === null || item === undefined) continue;
    const problem = check(item);
    if (problem) return problem;
  }
  return undefined;
}
