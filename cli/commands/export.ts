/**
 * `flowmatrix export`: the manifests only, as multi-document YAML on stdout, or with --out DIR
 * the directory made to hold exactly the current recommendation (cli/export-dir.ts).
 */
import type { Command } from 'commander';
import type { CommandContext, CommandModule } from '../command.ts';
import { writePieces } from '../io.ts';
import { maxEdgesOption, runExport, verifiedOrReported, warningLines, withRecommendOptions, type RecommendCliOptions } from './recommend.ts';

export const exportCommand: CommandModule = (program: Command, ctx: CommandContext) => {
  withRecommendOptions(program.command('export').description('the recommended manifests only: multi-document YAML, or a directory of one file per policy kept in step (GitOps)'))
    .option('--out <dir>', 'make this directory hold exactly the recommendation: one file per policy; files flowmatrix wrote (at the path of the one manifest they hold) that are no longer recommended are removed (with -n, only in that namespace\'s folder); other files are kept')
    .option('--allow-unverified', 'write manifests even when they fail verification (exit code 2 all the same)')
    .addOption(maxEdgesOption())
    .action(async (opts: RecommendCliOptions & { out?: string; allowUnverified?: boolean; maxEdges?: number }) => {
      // Loaded when the command runs: the CLI starts without the engines, YAML and the progress bar.
      const { multiDocYamlPieces } = await import('../../recommender/engines/yaml.ts');
      const { syncExportDir } = await import('../export-dir.ts');
      const { progressBar } = await import('../progress.ts');
      const result = await runExport(opts, opts.maxEdges);
      for (const line of warningLines(result, opts)) ctx.io.err(`warning: ${line}\n`);
      if (!(await verifiedOrReported(result, opts.allowUnverified, ctx))) return;
      if (opts.out === undefined) {
        // Document by document, as the API writes its body: a whole cluster's YAML is never one
        // string, and a slow reader holds the writing back instead of piling it up in memory.
        await writePieces(ctx.io, multiDocYamlPieces(result.manifests()));
        return;
      }
      const bar = progressBar(ctx.io, { format: 'export {bar} {value}/{total} files | {workloads} workloads', total: result.count, fields: { workloads: result.rec.workloads.length } });
      let s;
      try {
        s = await syncExportDir(opts.out, () => result.manifests(), { namespace: opts.namespace, workload: opts.workload }, (done) => bar.update(done));
      } finally {
        bar.stop();
      }
      ctx.io.out(`${JSON.stringify({ engine: result.emitted.engine, dir: opts.out, files: result.count, added: s.added, changed: s.changed, removed: s.removed, kept: s.kept, unchanged: s.unchanged })}\n`);
    });
};
