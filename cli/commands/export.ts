/**
 * `flowmatrix export`: the manifests only, as multi-document YAML on stdout or one file per
 * policy under --out DIR (`<namespace>/<kind>-<name>.yaml`, cluster-scoped ones under `_cluster/`).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { toMultiDocYaml, toYaml } from '../../recommender/engines/index.ts';
import type { CommandContext, CommandModule } from '../command.ts';
import { runRecommend, verifiedOrReported, warningLines, withRecommendOptions, type RecommendCliOptions } from './recommend.ts';

export const exportCommand: CommandModule = (program: Command, ctx: CommandContext) => {
  withRecommendOptions(program.command('export').description('the recommended manifests only: multi-document YAML, or one file per policy'))
    .option('--out <dir>', 'write one file per policy under this directory')
    .option('--allow-unverified', 'write manifests even when they fail verification (exit code 2 all the same)')
    .action(async (opts: RecommendCliOptions & { out?: string; allowUnverified?: boolean }) => {
      const result = await runRecommend(opts, false);
      const { emitted } = result;
      for (const line of warningLines(result, opts)) ctx.io.err(`warning: ${line}\n`);
      if (!verifiedOrReported(result, opts.allowUnverified, ctx)) return;
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
