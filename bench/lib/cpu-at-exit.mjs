// `node --import bench/lib/cpu-at-exit.mjs …`: at exit, appends the process' CPU time (user +
// system, µs) as one line to the file named by FLOWMATRIX_CPU_LOG. For bench/cli-startup.ts.
import { appendFileSync } from 'node:fs';

process.on('exit', () => {
  const { user, system } = process.cpuUsage();
  appendFileSync(process.env.FLOWMATRIX_CPU_LOG, `${user + system}\n`);
});
