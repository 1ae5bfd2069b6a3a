// A frontend engineer should learn the graph from the schema alone: every type, field,
// argument and enum value that nhs-graph defines carries a description.
import { readFileSync } from 'node:fs';
import { buildASTSchema, isEnumType, isInputObjectType, isObjectType, isScalarType, parse } from 'graphql';

const supergraph = readFileSync(new URL('./supergraph.graphql', import.meta.url), 'utf8');
const schema = buildASTSchema(parse(supergraph), { assumeValidSDL: true });

// Federation's own machinery, not part of the canonical graph.
const isFederationMachinery = (name: string) => name.startsWith('__') || /^(join__|link__|_)/.test(name);

function undocumented(): string[] {
  const missing: string[] = [];
  const need = (what: string, description: string | null | undefined) => {
    if (!description?.trim()) missing.push(what);
  };
  for (const type of Object.values(schema.getTypeMap())) {
    if (isFederationMachinery(type.name) || ['String', 'Int', 'Float', 'Boolean', 'ID'].includes(type.name))
      continue;
    if (type.name !== 'Query' && type.name !== 'Mutation') need(type.name, type.description);
    if (isObjectType(type)) {
      for (const field of Object.values(type.getFields())) {
        need(`${type.name}.${field.name}`, field.description);
        for (const arg of field.args)
          need(`${type.name}.${field.name}(${arg.name})`, arg.description ?? field.description);
      }
    }
    if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields()))
        need(`${type.name}.${field.name}`, field.description);
    }
    if (isEnumType(type)) {
      for (const value of type.getValues())
        need(`${type.name}.${value.name}`, value.description ?? type.description);
    }
    if (isScalarType(type)) need(type.name, type.description);
  }
  return missing;
}

describe('the composed supergraph', () => {
  it('documents every type, field and argument', () => {
    expect(undocumented()).toEqual([]);
  });

  it('still has the canonical types (the check above cannot pass on an empty schema)', () => {
    expect(schema.getType('Patient')).toBeDefined();
    expect(schema.getType('Concept')).toBeDefined();
    expect(schema.getType('Provenance')).toBeDefined();
  });
});
