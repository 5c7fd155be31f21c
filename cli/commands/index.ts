import type { Command } from 'commander';
import type { CommandContext, CommandModule } from '../command.ts';
import { edgesCommand } from './edges.ts';
import { ingestCommand } from './ingest.ts';
import { inventoryCommand } from './inventory.ts';
import { matrixCommand } from './matrix.ts';
import { recommendCommand } from './recommend.ts';
import { exportCommand } from './export.ts';
import { serveCommand } from './serve.ts';
import { demoCommand } from './demo.ts';
import { reportCommand } from './report.ts';
import { simulateCommand } from './simulate.ts';
import { collectCommand } from './collect.ts';

const modules: CommandModule[] = [inventoryCommand, ingestCommand, edgesCommand, matrixCommand, recommendCommand, exportCommand, simulateCommand, collectCommand, serveCommand, demoCommand, reportCommand];

export function registerCommands(program: Command, ctx: CommandContext): void {
  for (const register of modules) register(program, ctx);
}
