// `node --import ./test/helpers/module-log.mjs …`: logs every module the process loads into the
// file named by FLOWMATRIX_MODULE_LOG (see module-log-hooks.mjs).
import { register } from 'node:module';

register('./module-log-hooks.mjs', import.meta.url, { data: { file: process.env.FLOWMATRIX_MODULE_LOG } });
