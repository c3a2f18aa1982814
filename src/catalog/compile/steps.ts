import type { Catalog } from '../schema/catalog-schema';
import { jobSettingDefaults, type CatalogJob } from '../schema/catalog-job-schema';

/** A step as it runs: its base's settings with the step's own on top, and its place in the graph. */
export type EffectiveStep = Omit<CatalogJob, 'schedule'> & { needs: string[]; use?: string };

/**
 * The settings a step of a jobnet runs with. A step's base is the job it `use`s, or else the
 * catalog's `defaults`; whatever the step writes itself overrides the base — `retry` and `env`
 * field by field, `locks` and `runbooks` added to the base's, `after` appended. A used job's
 * `schedule` stays with the job: as a step it runs when its jobnet does.
 *
 * For a catalog that loaded, so every name it meets exists; a wrong name is a programming error.
 */
export function effectiveStep(catalog: Catalog, jobnetName: string, stepName: string): EffectiveStep {
  const step = catalog.jobnets[jobnetName]?.jobs[stepName];
  if (step === undefined) throw new RangeError(`no step "${stepName}" in jobnet "${jobnetName}"`);
  const { needs, use, retry, env, locks, after, runbooks, ...own } = step;
  const base = use === undefined ? { ...jobSettingDefaults, ...catalog.defaults } : usedJob(catalog, use);
  return {
    ...base,
    ...own,
    retry: { ...base.retry, ...retry },
    env: { ...base.env, ...env },
    locks: [...new Set([...base.locks, ...locks])],
    after: [...base.after, ...after],
    runbooks: { ...base.runbooks, ...runbooks },
    needs,
    ...(use === undefined ? {} : { use }),
  };
}

function usedJob(catalog: Catalog, name: string): Omit<CatalogJob, 'schedule'> {
  const job = catalog.jobs[name];
  if (job === undefined) throw new RangeError(`no job "${name}" to use`);
  const { schedule: _ownSchedule, ...settings } = job;
  return settings;
}
