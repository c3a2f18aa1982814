import type { Command } from 'commander';
import { InvalidInputError } from '../validation/validation-error';
import { planCatalog, type CatalogPlan } from '../planning/plan';
import type { CliContext } from './context';

function render(plan: CatalogPlan): string {
  const lines: string[] = [];
  for (const schedule of plan.schedules) {
    lines.push(`${schedule.kind} ${schedule.name}: ${schedule.schedule}`);
    for (const run of schedule.nextRuns) lines.push(`  ${run}`);
  }
  if (plan.schedules.length === 0) lines.push('no schedules in the catalog');
  for (const jobnet of plan.jobnets) {
    lines.push(`jobnet ${jobnet.name}:`);
    for (const step of jobnet.steps) lines.push(`  ${step.name}${step.needs.length ? ` ← ${step.needs.join(', ')}` : ''}`);
  }
  for (const warning of plan.warnings) lines.push(`warning: ${warning}`);
  return lines.join('\n');
}

export function registerPlan(program: Command, context: () => CliContext): void {
  program
    .command('plan')
    .description('validate the catalog and show the next fire times of every schedule (offline, no server)')
    .option('--from <ISO time>', 'plan from this instant (default: now)')
    .option('--next <n>', 'fire times per schedule', (value) => Number(value), 5)
    .action((options: { from?: string; next: number }) => {
      const ctx = context();
      const from = options.from ? new Date(options.from) : new Date();
      if (Number.isNaN(from.getTime())) throw new InvalidInputError([{ path: '--from', message: `"${options.from}" is not an ISO time` }], 'arguments');
      if (!Number.isInteger(options.next) || options.next < 1 || options.next > 1000) {
        throw new InvalidInputError([{ path: '--next', message: 'a whole number from 1 to 1000' }], 'arguments');
      }
      const plan = planCatalog(ctx.catalog(), { from, next: options.next });
      if (ctx.options.json) ctx.json(plan);
      else ctx.output.out(render(plan));
    });
}
