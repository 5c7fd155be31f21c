// Module customization hooks (node:module register) that append the URL of every module loaded
// to the file named by `data.file`, one per line: what a child process loaded, for
// test/integration/cli-startup.test.ts. Runs on the loader thread, hence the file.
import { appendFileSync } from 'node:fs';

let file;

export function initialize(data) {
  file = data.file;
}

export async function load(url, context, nextLoad) {
  const result = await nextLoad(url, context);
  appendFileSync(file, `${url}\n`);
  return result;
}
