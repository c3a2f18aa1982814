import path from 'node:path';
import type { Command } from 'commander';
import { InvalidInputError } from '../validation/validation-error';
import type { CliContext } from './context';

/** Single-quotes a word for a POSIX shell. */
const shellQuote = (word: string) => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`);

/**
 * batch_runner's `cron` (seed 003): the lines an external scheduler needs to trigger a job
 * through `jobnet run`, for sites that keep cron or Task Scheduler while they migrate. The
 * job runs at 03:00 by default; say another time with --at.
 */
export function registerCron(program: Command, context: () => CliContext): void {
  program
    .command('cron')
    .description('print the crontab line and the Windows schtasks command that trigger a job through `jobnet run`')
    .argument('<name>', 'job name from the catalog')
    .option('--at <HH:MM>', 'time of day for the external trigger', '03:00')
    .action((name: string, options: { at: string }) => {
      const ctx = context();
      if (!ctx.catalog().jobs[name]) {
        throw new InvalidInputError([{ path: name, message: `no job "${name}" in ${ctx.catalogFile}` }], 'arguments');
      }
      const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(options.at);
      if (!match) throw new InvalidInputError([{ path: '--at', message: 'write the time as HH:MM, e.g. 03:00' }], 'arguments');
      const catalog = path.resolve(ctx.catalogFile);
      const argv = ['npx', 'jobnet', '-c', catalog, 'run', name, '--wait'];
      const lines = {
        crontab: `${Number(match[2])} ${Number(match[1])} * * * ${argv.map(shellQuote).join(' ')} >> /var/log/jobnet-${name}.log 2>&1`,
        schtasks: `schtasks /Create /TN "jobnet\\${name}" /SC DAILY /ST ${options.at} /TR "${argv.join(' ').replaceAll('"', '\\"')}"`,
      };
      if (ctx.options.json) ctx.json(lines);
      else ctx.output.out(`# crontab\n${lines.crontab}\n# Windows Task Scheduler\n${lines.schtasks}`);
    });
}
