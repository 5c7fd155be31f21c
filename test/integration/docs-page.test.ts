/** `/docs` and `/docs/` both serve the reference page, and from either the page finds /openapi.json. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import request from 'supertest';
import { openDb } from '../../store/db.ts';
import { testApp } from '../helpers/service.ts';
import { tmpDir } from '../helpers/tmp.ts';

test('/docs and /docs/: the page, whose document URL resolves to /openapi.json (also under a path prefix)', async () => {
  const path = `${tmpDir()}/f.db`;
  const db = openDb(path);
  try {
    const app = testApp(db, path);
    for (const page of ['/docs', '/docs/', '/flowmatrix/docs', '/flowmatrix/docs/']) {
      const served = page.startsWith('/flowmatrix') ? page.slice('/flowmatrix'.length) : page;
      const r = await request(app).get(served).expect(200);
      assert.match(r.type, /text\/html/);
      const expr = /const SPEC=(.*?);\n/.exec(r.text)?.[1];
      assert.ok(expr, 'the page names its document URL');
      const spec = new Function('location', `return ${expr}`)({ pathname: page }) as string;
      const resolved = new URL(spec, `http://host${page}`).pathname;
      assert.equal(resolved, page.startsWith('/flowmatrix') ? '/flowmatrix/openapi.json' : '/openapi.json', page);
    }
    await request(app).get('/openapi.json').expect(200);
  } finally {
    db.close();
  }
});
