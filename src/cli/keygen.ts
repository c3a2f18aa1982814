import type { Command } from 'commander';
import { newKeyEntry } from '../codec/keys';
import type { CliContext } from './context';

/**
 * A new payload key, `id:base64`, for JOBNET_CODEC_KEYS or a key file. Rotation: put it in
 * front of the keys every worker and client has, keep the old ones until no open run needs them.
 */
export function registerKeygen(program: Command, context: () => CliContext): void {
  program
    .command('keygen')
    .description('print a new payload encryption key (id:base64 of 32 random bytes) for JOBNET_CODEC_KEYS or a key file')
    .option('--id <id>', 'key id written into every payload it encrypts (default: k<today>)')
    .action((options: { id?: string }) => {
      const ctx = context();
      const entry = newKeyEntry(options.id ?? `k${new Date().toISOString().slice(0, 10)}`);
      if (ctx.options.json) return ctx.json({ id: entry.slice(0, entry.indexOf(':')), entry });
      ctx.output.out(entry);
    });
}
