// Thin resolvers: arguments in, loader calls, canonical objects out. dm+d keeps some attributes on
// one level only (form, routes, ingredients and controlled drug category on the VMP; supplier and
// availability on the AMP); for the levels below, they are read from there through the loader,
// which batches and caches like any other read.
import { notFound } from '../../platform/errors.js';
import type { Resolvers } from './__generated__/resolvers-types.js';
import type { MedicinesLoaders } from './loaders.js';
import { checkMedicineCode, checkMedicineSystem, isMedicineCode, NOT_FOUND, SERVICE } from './mapping.js';
import type { MedicineRecord } from './model.js';

type Context = { loaders: MedicinesLoaders };

const load = (code: string | null, { loaders }: Context) =>
  code === null ? Promise.resolve(null) : loaders.medicineByCode.load(code);

/** Every medicine with one of `codes` that dm+d holds; the first error fails the list. */
async function loadAll(codes: readonly string[], { loaders }: Context): Promise<MedicineRecord[]> {
  const results = await loaders.medicineByCode.loadMany(codes);
  const failed = results.find((result): result is Error => result instanceof Error);
  if (failed !== undefined) throw failed;
  return results.filter((result): result is MedicineRecord => result !== null && !(result instanceof Error));
}

/** The VMP a medicine is (or is a product or pack of); null for a VTM. */
async function vmpOf(medicine: MedicineRecord, context: Context): Promise<MedicineRecord | null> {
  switch (medicine.kind) {
    case 'VMP':
      return medicine;
    case 'AMP':
    case 'VMPP':
      return load(medicine.links.vmp, context);
    case 'AMPP': {
      const parent = await load(medicine.links.vmpp ?? medicine.links.amp, context);
      return parent === null ? null : load(parent.links.vmp, context);
    }
    default:
      return null;
  }
}

/** The AMP a medicine is (or is a pack of); null for other kinds. */
async function ampOf(medicine: MedicineRecord, context: Context): Promise<MedicineRecord | null> {
  if (medicine.kind === 'AMP') return medicine;
  return medicine.kind === 'AMPP' ? load(medicine.links.amp, context) : null;
}

function found(medicine: MedicineRecord | null): MedicineRecord {
  if (medicine === null) throw notFound(NOT_FOUND.message, { service: SERVICE });
  return medicine;
}

export const resolvers: Resolvers = {
  Query: {
    medicine: async (_root, { code }, context) => found(await load(checkMedicineCode(code, 'code'), context)),
    medicineByCoding: async (_root, { system, code }, context) => {
      checkMedicineSystem(system, 'system');
      return found(await load(checkMedicineCode(code, 'code'), context));
    },
    searchMedicines: async (_root, criteria, context) =>
      loadAll(await context.sources.medicines.searchMedicines(criteria), context),
  },
  Medicine: {
    // Codes arrive from other services' records (GP Connect, UK Core), unchecked. A code dm+d does
    // not hold, or that is not a concept id at all, is NOT_FOUND: the referring field is null with
    // that error at its path, and the rest of the list answers. (A plain null entity would not be
    // quieter: the gateway would still fill the entity's non-null fields, fail, and report an
    // unexplained INTERNAL_SERVER_ERROR instead.)
    __resolveReference: async ({ code }, context) =>
      found(isMedicineCode(code) ? await context.loaders.medicineByCode.load(code) : null),
    ingredients: async (medicine, _args, context) => (await vmpOf(medicine, context))?.ingredients ?? [],
    form: async (medicine, _args, context) => (await vmpOf(medicine, context))?.form ?? null,
    routes: async (medicine, _args, context) => (await vmpOf(medicine, context))?.routes ?? [],
    controlledDrug: async (medicine, _args, context) =>
      (await vmpOf(medicine, context))?.controlledDrug ?? null,
    supplier: async (medicine, _args, context) => (await ampOf(medicine, context))?.supplier ?? null,
    availability: async (medicine, _args, context) =>
      medicine.kind === 'AMPP'
        ? ((await ampOf(medicine, context))?.availability ?? null)
        : medicine.availability,
    vtm: async (medicine, _args, context) =>
      medicine.kind === 'VTM' ? null : load((await vmpOf(medicine, context))?.links.vtm ?? null, context),
    vmp: (medicine, _args, context) =>
      medicine.kind === 'VTM' || medicine.kind === 'VMP' ? null : vmpOf(medicine, context),
    amp: (medicine, _args, context) => load(medicine.links.amp, context),
    vmpp: (medicine, _args, context) => load(medicine.links.vmpp, context),
    products: (medicine, _args, context) => loadAll(medicine.links.children, context),
  },
};
