import type { Command } from 'commander';
import { editCatalogFile } from '../catalog/load/edit';
import { InvalidInputError } from '../validation/validation-error';
import type { CliContext } from './context';
import { syncCatalog } from './sync';

/**
 * `enable|disable <name>`: the catalog stays the source of truth, so the switch is an edit of
 * the file (`enabled:` of the job or jobnet), followed by a sync.
 */
async function setEnabled(context: CliContext, name: string, enabled: boolean): Promise<void> {
  editCatalogFile(context.catalogFile, (doc) => {
    const section = doc.hasIn(['jobs', name]) ? 'jobs' : doc.hasIn(['jobnets', name]) ? 'jobnets' : undefined;
    if (!section) throw new InvalidInputError([{ path: name, message: `no job or jobnet "${name}" in ${context.catalogFile}` }], 'arguments');
    if (section === 'jobs') doc.setIn([section, name, 'enabled'], enabled);
    // A schedule's own switch would otherwise keep it off (or on) against the operator's word.
    if (doc.hasIn([section, name, 'schedule', 'enabled'])) doc.setIn([section, name, 'schedule', 'enabled'], enabled);
    else if (section === 'jobnets') doc.setIn([section, name, 'schedule', 'enabled'], enabled);
  });
  context.output.err(`${enabled ? 'enabled' : 'disabled'} ${name} in ${context.catalogFile}; syncing`);
  await syncCatalog(context, {});
}

export function registerEnable(program: Command, context: () => CliContext): void {
  for (const [verb, enabled] of [
    ['enable', true],
    ['disable', false],
  ] as const) {
    program
      .command(verb)
      .description(`${verb} a job or jobnet: edits the catalog file, then syncs its schedule`)
      .argument('<name>', 'job or jobnet name')
      .action((name: string) => setEnabled(context(), name, enabled));
  }
}
