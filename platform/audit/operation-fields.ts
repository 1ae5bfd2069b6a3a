// The fields an operation asks of this subgraph, as `Type.field`, for the audit record's
// "what was read". Introspection and federation plumbing are left out.
import { TypeInfo, visit, visitWithTypeInfo, type DocumentNode, type GraphQLSchema } from 'graphql';

export function operationFields(schema: GraphQLSchema, document: DocumentNode): string[] {
  const typeInfo = new TypeInfo(schema);
  const fields = new Set<string>();
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const parent = typeInfo.getParentType();
        const name = node.name.value;
        if (!parent || name.startsWith('__') || name === '_entities' || name === '_service') return;
        fields.add(`${parent.name}.${name}`);
      },
    }),
  );
  return [...fields].sort();
}
