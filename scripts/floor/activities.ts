import { spawn } from 'node:child_process';
import { appendFile } from 'node:fs/promises';

/** `true`, as a jobnet command step spawns it: own output pipes, awaited until they close. */
export function spawnTrue(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('true', [], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.resume();
    child.stderr.resume();
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`true exited with ${code}`))));
  });
}

/** An outside call of `ms` milliseconds, as the bench's `simulatedCall`. */
export function sleepMs(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** `<nominal ms> <now ms>`, one line per fire. */
export async function appendStart(file: string, nominalMs: number): Promise<void> {
  await appendFile(file, `${nominalMs} ${Date.now()}\n`);
}
