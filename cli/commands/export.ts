/**
 * `flowmatrix export`: the manifests only, as multi-document YAML on stdout or one file per
 * policy under --out DIR (`<namespace>/<kind>-<name>.yaml`, cluster-scoped ones under `_cluster/`).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { toMultiDocYaml, toYaml } from '../../recommender/engines/index.ts';
import type { CommandContext, CommandModule } from '../command.ts';
import { runRecommend, warningLines, withRecommendOptions, type RecommendCliOptions } from './recommend.ts';

export const exportCommand: CommandModule = (program: Command, ctx: CommandContext) => {
  withRecommendOptions(program.command('export').description('the recommended manifests only: multi-document YAML, or one file per policy'))
    .option('--out <dir>', 'write one file per policy under this directory')
    .action(async (opts: RecommendCliOptions & { out?: string }) => {
      const { rec, emitted } = await runRecommend(opts, false);
      for (const line of warningLines(emitted, rec)) ctx.io.err(`warning: ${line}\n`);
      if (opts.out === undefined) {
        ctx.io.out(toMultiDocYaml(emitted.manifests));
        return;
      }
      const files: string[] = [];
      for (const m of emitted.manifests) {
        const dir = join(opts.out, m.metadata.namespace ?? '_cluster');
        await mkdir(dir, { recursive: true });
        const file = join(dir, `${m.kind.toLowerCase()}-${m.metadata.name}.yaml`);
        await writeFile(file, toYaml(m));
        files.push(file);
      }
      ctx.io.out(`${JSON.stringify({ engine: emitted.engine, files: files.length, dir: opts.out })}\n`);
    });
};
