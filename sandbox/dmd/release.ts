// Loads what the dm+d stand-in serves: the NHSBSA XML release extract (wardle/dmd test data,
// release 2021-08-26, copied into sandbox/fixtures/dmd/; provenance in sandbox/fixtures/PROVENANCE.md)
// plus the medicines the GP Connect fixtures name that the extract lacks
// (sandbox/fixtures/derived/dmd-gp-connect-medicines.json). Parsed once at start into concepts
// the way a terminology server holds dm+d: one code system whose concepts are the five product
// classes and the lookup concepts they point at (ingredients, suppliers, forms, routes, units).
//
// Property codes are the dm+d XML field names (VTMID, PRES_STATCD, FORMCD, ROUTECD, CATCD, VPI
// with subproperties ISID, STRNT_NMRTR_VAL, …): that is how the NHS England Terminology Server
// names them (sandbox/README.md, "dm+d" for the evidence and what is assumed).
import { readFileSync } from 'node:fs';
import { XMLParser } from 'fast-xml-parser';
import { z } from 'zod';

export const DMD_SYSTEM = 'https://dmd.nhs.uk';
/** The release the extract comes from (its folder, `dmd-2021-08-26`), served as the code system version. */
export const DMD_RELEASE = '2021-08-26';
/** Where coded lookup values that are not SNOMED CT concepts (e.g. `0001` POM) are given a system. */
export const lookupSystem = (table: string) => `${DMD_SYSTEM}/lookup/${table}`;

const ROOT = new URL('../fixtures/', import.meta.url);
export const EXTRACT = 'dmd/test/resources/dmd-2021-08-26/';
export const EXTRACT_FILES = {
  vtm: 'f_vtm2_3260821.xml',
  vmp: 'f_vmp2_3260821.xml',
  amp: 'f_amp2_3260821.xml',
  vmpp: 'f_vmpp2_3260821.xml',
  ampp: 'f_ampp2_3260821.xml',
  ingredient: 'f_ingredient2_3260821.xml',
  lookup: 'f_lookup2_3260821.xml',
} as const;
export const DERIVED_FILE = 'derived/dmd-gp-connect-medicines.json';

/** The dm+d product classes, and the lookup classes (names as in the NHSBSA HISTORIC_CODES file). */
export const PRODUCT_CLASSES = ['VTM', 'VMP', 'AMP', 'VMPP', 'AMPP'] as const;
export type ProductClass = (typeof PRODUCT_CLASSES)[number];
export type DmdClass = ProductClass | 'ING' | 'SUPP' | 'FORM' | 'ROUTE' | 'UOM';

export type DmdValue =
  | { type: 'code'; code: string }
  | { type: 'coding'; system: string; code: string; display?: string }
  | { type: 'decimal'; value: number }
  | { type: 'string'; value: string }
  | { type: 'boolean'; value: boolean };

export interface DmdProperty {
  code: string;
  /** Absent for a group (e.g. one VPI ingredient row), whose values are in `subproperties`. */
  value?: DmdValue;
  subproperties?: Array<{ code: string; value: DmdValue }>;
}

export interface DmdConcept {
  code: string;
  class: DmdClass;
  display: string;
  /** dm+d INVALID flag: the concept was published in error and must not be used. */
  inactive: boolean;
  /** Concepts one level up: VMP -> VTM, AMP -> VMP, VMPP -> VMP, AMPP -> AMP and VMPP. */
  parents: string[];
  /** Concepts one level down (the inverse of `parents`), filled in after loading. */
  children: string[];
  properties: DmdProperty[];
  /** `derived`: made from a GP Connect fixture's code and text, not from the dm+d extract. */
  origin: 'extract' | 'derived';
}

export interface DmdRelease {
  version: string;
  concepts: ReadonlyMap<string, DmdConcept>;
}

// Every record element of the release files is a list, however many the extract happens to hold.
const RECORDS = new Set([
  'VTM',
  'VMP',
  'VPI',
  'ONT',
  'DFORM',
  'DROUTE',
  'CONTROL_INFO',
  'AMP',
  'AP_ING',
  'LIC_ROUTE',
  'VMPP',
  'AMPP',
  'ING',
  'INFO',
]);

const parser = new XMLParser({
  ignoreAttributes: true,
  // Codes stay strings: `0001` is not 1, and 18-digit SNOMED ids do not fit a double.
  parseTagValue: false,
  trimValues: true,
  isArray: (name) => RECORDS.has(name),
});

type Row = Record<string, string | undefined>;
const RowSchema = z.record(z.string(), z.string().optional());
const Rows = z.array(RowSchema).optional();

function readXml(file: string): unknown {
  return parser.parse(readFileSync(new URL(`${EXTRACT}${file}`, ROOT), 'utf8'));
}

/** The rows at `path` (e.g. VIRTUAL_MED_PRODUCTS.VMPS.VMP); none when the element is absent. */
function rowsAt(document: unknown, path: readonly string[]): Row[] {
  let node: unknown = document;
  for (const step of path) {
    node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[step] : undefined;
  }
  // Scalar children only: nested groups are not used.
  const rows = Rows.parse(
    Array.isArray(node)
      ? node.map((row) =>
          Object.fromEntries(
            Object.entries(row as Record<string, unknown>).filter(([, v]) => typeof v === 'string'),
          ),
        )
      : undefined,
  );
  return rows ?? [];
}

/** The LOOKUP file: table name -> code -> description. */
type Lookups = Map<string, Map<string, string>>;

function readLookups(): Lookups {
  const document = readXml(EXTRACT_FILES.lookup) as { LOOKUP?: Record<string, unknown> };
  const tables: Lookups = new Map();
  for (const table of Object.keys(document.LOOKUP ?? {})) {
    const rows = rowsAt(document, ['LOOKUP', table, 'INFO']);
    tables.set(
      table,
      new Map(rows.flatMap((row) => (row['CD'] && row['DESC'] ? [[row['CD'], row['DESC']]] : []))),
    );
  }
  return tables;
}

/** Lookup tables whose codes are SNOMED CT concepts, served as concepts of dm+d itself. */
const CONCEPT_TABLES: ReadonlyArray<readonly [table: string, cls: DmdClass]> = [
  ['FORM', 'FORM'],
  ['ROUTE', 'ROUTE'],
  ['UNIT_OF_MEASURE', 'UOM'],
  ['SUPPLIER', 'SUPP'],
];

const DerivedSchema = z.object({
  medicines: z.array(
    z.object({
      code: z.string().regex(/^[1-9][0-9]{5,17}$/),
      class: z.enum(PRODUCT_CLASSES),
      name: z.string().min(1),
    }),
  ),
});

export function loadDmdRelease(): DmdRelease {
  const lookups = readLookups();
  const concepts = new Map<string, DmdConcept>();
  const names = new Map<string, string>();

  const add = (
    concept: Omit<DmdConcept, 'children' | 'origin'>,
    origin: DmdConcept['origin'] = 'extract',
  ) => {
    if (concepts.has(concept.code)) throw new Error(`dm+d fixture: code ${concept.code} appears twice`);
    concepts.set(concept.code, { ...concept, children: [], origin });
    names.set(concept.code, concept.display);
  };

  // Ingredient substances first: product properties name them.
  const ingredients = rowsAt(readXml(EXTRACT_FILES.ingredient), ['INGREDIENT_SUBSTANCES', 'ING']);
  for (const row of ingredients) names.set(required(row, 'ISID'), required(row, 'NM'));

  /** A coded value: SNOMED-identified lookups and links under dm+d's system, the rest under their table's. */
  const coding = (code: string, table: string | null): DmdValue => {
    const display = table === null ? names.get(code) : lookups.get(table)?.get(code);
    const system =
      table === null || CONCEPT_TABLES.some(([t]) => t === table) ? DMD_SYSTEM : lookupSystem(table);
    return { type: 'coding', system, code, ...(display === undefined ? {} : { display }) };
  };
  /** The properties for `fields` of `row` that are present: [XML field, property code, how]. */
  const fieldsOf = (row: Row, fields: ReadonlyArray<Field>): DmdProperty[] =>
    fields.flatMap(([field, code, kind]) => {
      const raw = row[field];
      return raw === undefined || raw === '' ? [] : [{ code, value: valueOf(raw, kind, coding) }];
    });
  const byKey = (rows: Row[], key: string) => {
    const grouped = new Map<string, Row[]>();
    for (const row of rows) {
      const id = row[key];
      if (id !== undefined) grouped.set(id, [...(grouped.get(id) ?? []), row]);
    }
    return (id: string) => grouped.get(id) ?? [];
  };

  // VTM
  for (const row of rowsAt(readXml(EXTRACT_FILES.vtm), ['VIRTUAL_THERAPEUTIC_MOIETIES', 'VTM'])) {
    add(product(row, 'VTMID', 'VTM', [], []));
  }

  // VMP, with its ingredients (VPI), forms, routes and controlled drug category
  const vmpFile = readXml(EXTRACT_FILES.vmp);
  const vpis = byKey(rowsAt(vmpFile, ['VIRTUAL_MED_PRODUCTS', 'VIRTUAL_PRODUCT_INGREDIENT', 'VPI']), 'VPID');
  const onts = byKey(rowsAt(vmpFile, ['VIRTUAL_MED_PRODUCTS', 'ONT_DRUG_FORM', 'ONT']), 'VPID');
  const forms = byKey(rowsAt(vmpFile, ['VIRTUAL_MED_PRODUCTS', 'DRUG_FORM', 'DFORM']), 'VPID');
  const routes = byKey(rowsAt(vmpFile, ['VIRTUAL_MED_PRODUCTS', 'DRUG_ROUTE', 'DROUTE']), 'VPID');
  const controls = byKey(
    rowsAt(vmpFile, ['VIRTUAL_MED_PRODUCTS', 'CONTROL_DRUG_INFO', 'CONTROL_INFO']),
    'VPID',
  );
  for (const row of rowsAt(vmpFile, ['VIRTUAL_MED_PRODUCTS', 'VMPS', 'VMP'])) {
    const vpid = required(row, 'VPID');
    const properties = [
      ...fieldsOf(row, VMP_FIELDS),
      ...onts(vpid).flatMap((ont) => fieldsOf(ont, [['FORMCD', 'ONTFORMCD', table('ONT_FORM_ROUTE')]])),
      ...forms(vpid).flatMap((form) => fieldsOf(form, [['FORMCD', 'FORMCD', table('FORM')]])),
      ...routes(vpid).flatMap((route) => fieldsOf(route, [['ROUTECD', 'ROUTECD', table('ROUTE')]])),
      ...controls(vpid).flatMap((control) =>
        fieldsOf(control, [['CATCD', 'CATCD', table('CONTROL_DRUG_CATEGORY')]]),
      ),
      ...vpis(vpid).map((vpi) => group('VPI', fieldsOf(vpi, VPI_FIELDS))),
    ];
    add(product(row, 'VPID', 'VMP', links(row, ['VTMID']), properties));
  }

  // AMP, with its excipients (AP_ING) and licensed routes
  const ampFile = readXml(EXTRACT_FILES.amp);
  const apIngs = byKey(rowsAt(ampFile, ['ACTUAL_MEDICINAL_PRODUCTS', 'AP_INGREDIENT', 'AP_ING']), 'APID');
  const licRoutes = byKey(
    rowsAt(ampFile, ['ACTUAL_MEDICINAL_PRODUCTS', 'LICENSED_ROUTE', 'LIC_ROUTE']),
    'APID',
  );
  for (const row of rowsAt(ampFile, ['ACTUAL_MEDICINAL_PRODUCTS', 'AMPS', 'AMP'])) {
    const apid = required(row, 'APID');
    const properties = [
      ...fieldsOf(row, AMP_FIELDS),
      ...licRoutes(apid).flatMap((route) => fieldsOf(route, [['ROUTECD', 'LIC_ROUTECD', table('ROUTE')]])),
      ...apIngs(apid).map((ing) => group('AP_ING', fieldsOf(ing, AP_ING_FIELDS))),
    ];
    add(product(row, 'APID', 'AMP', links(row, ['VPID']), properties));
  }

  // VMPP and AMPP (packs)
  for (const row of rowsAt(readXml(EXTRACT_FILES.vmpp), ['VIRTUAL_MED_PRODUCT_PACK', 'VMPPS', 'VMPP'])) {
    add(product(row, 'VPPID', 'VMPP', links(row, ['VPID']), fieldsOf(row, VMPP_FIELDS)));
  }
  for (const row of rowsAt(readXml(EXTRACT_FILES.ampp), ['ACTUAL_MEDICINAL_PROD_PACKS', 'AMPPS', 'AMPP'])) {
    add(product(row, 'APPID', 'AMPP', links(row, ['APID', 'VPPID']), fieldsOf(row, AMPP_FIELDS)));
  }

  // Lookup concepts: ingredient substances, suppliers, forms, routes, units of measure.
  for (const row of ingredients) {
    add({
      ...lookupConcept(required(row, 'ISID'), 'ING', required(row, 'NM')),
      inactive: row['INVALID'] === '1',
    });
  }
  for (const [table, cls] of CONCEPT_TABLES) {
    for (const [code, display] of lookups.get(table) ?? []) {
      if (!concepts.has(code)) add(lookupConcept(code, cls, display));
    }
  }

  // GP Connect's medicines the extract does not hold (see sandbox/fixtures/derived/README.md).
  const derived = DerivedSchema.parse(JSON.parse(readFileSync(new URL(DERIVED_FILE, ROOT), 'utf8')));
  for (const medicine of derived.medicines) {
    add(
      {
        code: medicine.code,
        class: medicine.class,
        display: medicine.name,
        inactive: false,
        parents: [],
        properties: [],
      },
      'derived',
    );
  }

  // Children are the inverse of parents; a parent the extract does not hold is still named.
  for (const concept of concepts.values()) {
    for (const parent of concept.parents) concepts.get(parent)?.children.push(concept.code);
  }
  return { version: DMD_RELEASE, concepts };

  /**
   * A product concept. `links` are its parents by dm+d field (VMP VTMID, AMP VPID, …), each also
   * served as a property of that name whose value is a Coding of the parent.
   */
  function product(
    row: Row,
    idField: string,
    cls: ProductClass,
    links: ReadonlyArray<readonly [field: string, code: string]>,
    properties: DmdProperty[],
  ): Omit<DmdConcept, 'children' | 'origin'> {
    return {
      code: required(row, idField),
      class: cls,
      display: required(row, 'NM'),
      inactive: row['INVALID'] === '1',
      parents: links.map(([, code]) => code),
      properties: [
        ...links.map(([field, code]) => ({ code: field, value: coding(code, null) })),
        ...properties,
      ],
    };
  }
}

/** The parent links `fields` of `row` that are present, e.g. [['VPID', '318136009']]. */
const links = (row: Row, fields: readonly string[]): Array<readonly [string, string]> =>
  fields.flatMap((field) => (row[field] ? [[field, row[field]] as const] : []));

const lookupConcept = (code: string, cls: DmdClass, display: string) => ({
  code,
  class: cls,
  display,
  inactive: false,
  parents: [],
  properties: [],
});

const group = (code: string, fields: DmdProperty[]): DmdProperty => ({
  code,
  subproperties: fields.flatMap((field) => (field.value ? [{ code: field.code, value: field.value }] : [])),
});

function required(row: Row, field: string): string {
  const value = row[field];
  if (value === undefined || value === '') throw new Error(`dm+d fixture: a row lacks ${field}`);
  return value;
}

/** How a field is served: a coded value from a lookup table, a link to a concept, a number, text or a flag. */
type FieldKind = { table: string } | 'link' | 'decimal' | 'string' | 'flag';
const table = (name: string): FieldKind => ({ table: name });
type Field = readonly [field: string, property: string, kind: FieldKind];

function valueOf(
  raw: string,
  kind: FieldKind,
  coding: (code: string, table: string | null) => DmdValue,
): DmdValue {
  switch (kind) {
    case 'decimal':
      return { type: 'decimal', value: Number(raw) };
    case 'string':
      return { type: 'string', value: raw };
    case 'flag':
      // dm+d flags are `0001` (or `1`) when set.
      return { type: 'boolean', value: raw === '0001' || raw === '1' };
    case 'link':
      return coding(raw, null);
    default:
      return coding(raw, kind.table);
  }
}

const VMP_FIELDS: Field[] = [
  ['BASISCD', 'BASISCD', table('BASIS_OF_NAME')],
  ['PRES_STATCD', 'PRES_STATCD', table('VIRTUAL_PRODUCT_PRES_STATUS')],
  ['NON_AVAILCD', 'NON_AVAILCD', table('VIRTUAL_PRODUCT_NON_AVAIL')],
  ['NON_AVAILDT', 'NON_AVAILDT', 'string'],
  ['DF_INDCD', 'DF_INDCD', table('DF_INDICATOR')],
  ['UDFS', 'UDFS', 'decimal'],
  ['UDFS_UOMCD', 'UDFS_UOMCD', table('UNIT_OF_MEASURE')],
  ['UNIT_DOSE_UOMCD', 'UNIT_DOSE_UOMCD', table('UNIT_OF_MEASURE')],
  ['SUG_F', 'SUG_F', 'flag'],
  ['GLU_F', 'GLU_F', 'flag'],
  ['PRES_F', 'PRES_F', 'flag'],
  ['CFC_F', 'CFC_F', 'flag'],
];
const VPI_FIELDS: Field[] = [
  ['ISID', 'ISID', 'link'],
  ['BASIS_STRNTCD', 'BASIS_STRNTCD', table('BASIS_OF_STRNTH')],
  ['BS_SUBID', 'BS_SUBID', 'link'],
  ['STRNT_NMRTR_VAL', 'STRNT_NMRTR_VAL', 'decimal'],
  ['STRNT_NMRTR_UOMCD', 'STRNT_NMRTR_UOMCD', table('UNIT_OF_MEASURE')],
  ['STRNT_DNMTR_VAL', 'STRNT_DNMTR_VAL', 'decimal'],
  ['STRNT_DNMTR_UOMCD', 'STRNT_DNMTR_UOMCD', table('UNIT_OF_MEASURE')],
];
const AMP_FIELDS: Field[] = [
  ['DESC', 'DESC', 'string'],
  ['SUPPCD', 'SUPPCD', table('SUPPLIER')],
  ['LIC_AUTHCD', 'LIC_AUTHCD', table('LICENSING_AUTHORITY')],
  ['AVAIL_RESTRICTCD', 'AVAIL_RESTRICTCD', table('AVAILABILITY_RESTRICTION')],
  ['COMBPRODCD', 'COMBPRODCD', table('COMBINATION_PROD_IND')],
  ['PARALLEL_IMPORT', 'PARALLEL_IMPORT', 'flag'],
  ['EMA', 'EMA', 'flag'],
];
const AP_ING_FIELDS: Field[] = [
  ['ISID', 'ISID', 'link'],
  ['STRNTH', 'STRNTH', 'decimal'],
  ['UOMCD', 'UOMCD', table('UNIT_OF_MEASURE')],
];
const VMPP_FIELDS: Field[] = [
  ['QTYVAL', 'QTYVAL', 'decimal'],
  ['QTY_UOMCD', 'QTY_UOMCD', table('UNIT_OF_MEASURE')],
  ['COMBPACKCD', 'COMBPACKCD', table('COMBINATION_PACK_IND')],
];
const AMPP_FIELDS: Field[] = [
  ['LEGAL_CATCD', 'LEGAL_CATCD', table('LEGAL_CATEGORY')],
  ['DISCCD', 'DISCCD', table('DISCONTINUED_IND')],
  ['DISCDT', 'DISCDT', 'string'],
  ['COMBPACKCD', 'COMBPACKCD', table('COMBINATION_PACK_IND')],
];
