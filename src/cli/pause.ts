import type { Command } from 'commander';
import { InvalidInputError } from '../validation/validation-error';
import { disabledByCatalog } from '../sync/apply-changes';
import { describeServerSchedule, listOwnedScheduleIds, scheduleIdOf } from '../sync/owned';
import type { CliContext } from './context';

type PauseOptions = { all?: boolean; note?: string };

/**
 * Maintenance windows (seed 000): pause every schedule jobnet owns before server work, resume
 * them after. The note is stored on each Schedule, so the Web UI says why it is paused.
 */
async function setPaused(context: CliContext, paused: boolean, name: string | undefined, options: PauseOptions): Promise<void> {
  if (!name === !options.all) {
    throw new InvalidInputError([{ path: '(arguments)', message: 'name one job or jobnet, or give --all' }], 'arguments');
  }
  const client = await context.client();
  const ids = options.all ? await listOwnedScheduleIds(client) : [scheduleIdOf(name!)];
  const note = options.note ?? `${paused ? 'paused' : 'resumed'} with jobnet ${paused ? 'pause' : 'resume'}`;
  const done: string[] = [];
  for (const id of ids) {
    const current = await describeServerSchedule(client, id);
    if (!current) {
      // Visibility may still list a Schedule deleted a moment ago: --all goes on without it.
      if (options.all) continue;
      throw new InvalidInputError([{ path: name ?? id, message: `no schedule ${id} on the server (has the catalog been synced?)` }], 'arguments');
    }
    // Never wake a job the catalog disabled: `jobnet enable` is the way.
    if (!paused && disabledByCatalog(current)) {
      if (options.all) continue;
      throw new InvalidInputError([{ path: name!, message: 'is disabled in the catalog; use `jobnet enable` to switch it on' }], 'arguments');
    }
    // --all leaves alone what is already as asked.
    if (options.all && current.state.paused === paused) continue;
    const handle = client.schedule.getHandle(id);
    await (paused ? handle.pause(note) : handle.unpause(note));
    done.push(id);
    context.output.err(`${paused ? 'paused' : 'resumed'} ${id}`);
  }
  if (context.options.json) context.json({ [paused ? 'paused' : 'resumed']: done, note });
  else context.output.out(`${done.length} schedule${done.length === 1 ? '' : 's'} ${paused ? 'paused' : 'resumed'}: ${note}`);
}

export function registerPause(program: Command, context: () => CliContext): void {
  for (const [verb, paused] of [
    ['pause', true],
    ['resume', false],
  ] as const) {
    program
      .command(verb)
      .description(`${verb} the schedule of a job or jobnet, or --all of jobnet's schedules (maintenance windows)`)
      .argument('[name]', 'job or jobnet name')
      .option('--all', `${verb} every schedule jobnet owns`)
      .option('--note <text>', 'why; shown on the schedule in the Web UI')
      .action((name: string | undefined, options: PauseOptions) => setPaused(context(), paused, name, options));
  }
}
