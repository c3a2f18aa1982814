import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { editCatalogFile, writeFileAtomically } from '../catalog/load/edit';
import { parseCatalog } from '../catalog/load/load';
import { InvalidInputError } from '../validation/validation-error';
import type { CliContext } from './context';

/** seed 003's default jobs of batch_runner, as a catalog to start from. */
export const STARTER_CATALOG = `# jobnet catalog — see README.md "The catalog" for every key.
version: 1
timezone: Asia/Tokyo

defaults:
  timeout: 30m                 # per attempt; the whole process tree is killed
  retry: { attempts: 1 }       # raise for jobs that are safe to repeat

jobs:
  detection:
    description: hourly detection
    command: [sh, -c, "echo detection run at $(date)"]
    schedule: { interval: 1h }

  analysis:
    description: daily analysis
    command: [sh, -c, "echo analysis for $JOBNET_BUSINESS_DATE"]
    schedule: { daily: "02:00" }

  cleanup:
    description: weekly cleanup
    command: [sh, -c, "echo cleanup"]
    schedule: { weekly: "sun 03:00" }

  backup:
    description: daily backup (disabled until a target is configured)
    command: [sh, -c, "echo backup"]
    schedule: { daily: "01:00", enabled: false }
`;

type AddOptions = { daily?: string; weekly?: string; monthly?: string; cron?: string; interval?: string; description?: string };
const SCHEDULE_FLAGS = ['daily', 'weekly', 'monthly', 'cron', 'interval'] as const;

/**
 * `add <name> -- <argv…> --daily 03:00`: after `--` every word is the command's, except a
 * schedule flag with its value at the very end, which is what operators type.
 */
function splitTrailingScheduleFlags(words: string[], options: AddOptions): string[] {
  const argv = [...words];
  while (argv.length >= 2) {
    const flag = argv[argv.length - 2]!.replace(/^--/, '');
    if (!argv[argv.length - 2]!.startsWith('--') || !(SCHEDULE_FLAGS as readonly string[]).includes(flag)) break;
    options[flag as (typeof SCHEDULE_FLAGS)[number]] = argv[argv.length - 1];
    argv.splice(-2, 2);
  }
  return argv;
}

export function registerCatalogEdits(program: Command, context: () => CliContext): void {
  program
    .command('init')
    .description("write a starter catalog (seed 003's default jobs) to the catalog path")
    .option('--force', 'overwrite an existing file')
    .action((options: { force?: boolean }) => {
      const ctx = context();
      if (existsSync(ctx.catalogFile) && !options.force) {
        throw new InvalidInputError([{ path: ctx.catalogFile, message: 'exists already; --force overwrites it' }], 'arguments');
      }
      parseCatalog(STARTER_CATALOG, 'starter catalog');
      writeFileAtomically(ctx.catalogFile, STARTER_CATALOG);
      ctx.output.out(`wrote ${ctx.catalogFile}; next: jobnet plan, then jobnet sync`);
    });

  let add = program
    .command('add')
    .description('add a command job to the catalog: jobnet add <name> -- <argv…> [--daily HH:MM]')
    .argument('<name>', 'job name')
    .argument('<argv...>', 'the command and its arguments (after --)')
    .option('--description <text>', 'what the job does');
  for (const flag of SCHEDULE_FLAGS) add = add.option(`--${flag} <value>`, `schedule: ${flag}`);
  add.action((name: string, words: string[], options: AddOptions) => {
    const ctx = context();
    const command = splitTrailingScheduleFlags(words, options);
    const forms = SCHEDULE_FLAGS.filter((flag) => options[flag] !== undefined);
    if (forms.length > 1) throw new InvalidInputError([{ path: '--' + forms.join(', --'), message: 'give one schedule form' }], 'arguments');
    editCatalogFile(ctx.catalogFile, (doc) => {
      if (doc.hasIn(['jobs', name])) throw new InvalidInputError([{ path: `jobs.${name}`, message: 'exists already' }], ctx.catalogFile);
      const job: Record<string, unknown> = {};
      if (options.description) job.description = options.description;
      job.command = command;
      const form = forms[0];
      if (form) job.schedule = { [form]: options[form] };
      const node = doc.createNode(job);
      // argv and schedule on one line each, as people write them in the catalog.
      for (const key of ['command', 'schedule']) {
        const child = node.get(key, true) as { flow?: boolean } | undefined;
        if (child) child.flow = true;
      }
      doc.setIn(['jobs', name], node);
    });
    ctx.output.out(`added ${name} to ${ctx.catalogFile}`);
  });

  program
    .command('remove')
    .description('remove a job from the catalog (its schedule goes at the next sync)')
    .argument('<name>', 'job name')
    .action((name: string) => {
      const ctx = context();
      editCatalogFile(ctx.catalogFile, (doc) => {
        if (!doc.hasIn(['jobs', name])) throw new InvalidInputError([{ path: `jobs.${name}`, message: 'no such job' }], ctx.catalogFile);
        doc.deleteIn(['jobs', name]);
      });
      ctx.output.out(`removed ${name} from ${ctx.catalogFile}`);
    });
}
