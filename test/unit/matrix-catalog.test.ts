import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { CATALOG_DIR, loadCatalog } from '../../app/catalog.ts';
import { PARSED_CATALOG_FILE, parsedCatalog, parsedCatalogText } from '../../app/catalog-parsed.ts';
import { parseMatrix } from '../../recommender/matrix/load.ts';
import { MATRIX_SCHEMA_DIR as SCHEMA_DIR } from '../../app/matrix-schema-files.ts';
import { schemaFiles } from '../../recommender/matrix/schema-files.ts';
import type { MatrixT, RuleT, SourceT } from '../../recommender/matrix/schema.ts';
import { REFERENCE } from '../helpers/reference.ts';
import { tmpDir } from '../helpers/tmp.ts';

const SEED_OF: Record<string, string> = {
  stacklight: 'seeds/000_5b7b87e0ab789292.txt',
  'kyma-telemetry': 'seeds/001_b496f54346007a3f.txt',
  netobserv: 'seeds/002_663a8763ebaa1c52.txt',
  'progressive-delivery': 'seeds/003_419fa1336565c11c.txt',
};

test('the committed JSON Schema files equal the ones generated from the TypeBox definitions', () => {
  for (const [name, text] of Object.entries(schemaFiles())) {
    assert.equal(readFileSync(join(SCHEMA_DIR, name), 'utf8'), text, `${name} is stale: node --import tsx app/matrix-schema-files.ts`);
  }
});

test('every catalog file validates against the committed JSON Schema with a plain JSON Schema validator', () => {
  const schema = JSON.parse(readFileSync(join(SCHEMA_DIR, 'matrix.schema.json'), 'utf8')) as object;
  const validate = new Ajv({ allErrors: true }).compile(schema);
  for (const entry of loadCatalog()) {
    assert.ok(validate(parse(entry.text)), `${entry.file}: ${JSON.stringify(validate.errors)}`);
  }
  assert.equal(validate({ apiVersion: 'flowmatrix.io/v1alpha1', kind: 'CommunicationMatrix', metadata: { name: 'x', title: 'x' }, documents: {}, components: { a: { namespace: 'n', selector: {}, egress: [{ peer: 'apiserver', level: 'must', purpose: 'p', source: { document: 'd' }, ports: [{ port: 70000 }] }] } } }), false);
});

test('the committed parse of the catalog (matrices/catalog.parsed.json) is what parsing its YAML gives now, value for value', () => {
  assert.equal(readFileSync(join(CATALOG_DIR, PARSED_CATALOG_FILE), 'utf8'), parsedCatalogText(CATALOG_DIR), `${PARSED_CATALOG_FILE} is stale: node --import tsx app/catalog-parsed.ts`);
  const committed = parsedCatalog(CATALOG_DIR);
  for (const entry of loadCatalog()) {
    const file = entry.file.slice(CATALOG_DIR.length);
    // Strict: a value JSON cannot carry (undefined, -0) would make the two differ.
    assert.deepStrictEqual(committed(file, entry.text), parseMatrix(entry.text, entry.file).matrix, file);
  }
});

test('a catalog file whose text is not the one of the committed parse is parsed from its YAML; an unreadable parse file is an error naming it', () => {
  const dir = tmpDir('flowmatrix-catalog-parsed-');
  const source = readFileSync(join(CATALOG_DIR, 'stacklight.yaml'), 'utf8');
  writeFileSync(join(dir, PARSED_CATALOG_FILE), readFileSync(join(CATALOG_DIR, PARSED_CATALOG_FILE), 'utf8'));
  writeFileSync(join(dir, 'stacklight.yaml'), source.replace(/^(\s*title: .*)$/m, '$1 (edited)'));
  const [edited] = loadCatalog(dir);
  assert.match(edited!.matrix.metadata.title, /\(edited\)$/);
  assert.equal(parsedCatalog(dir)('stacklight.yaml', edited!.text), undefined);
  assert.ok(parsedCatalog(dir)('stacklight.yaml', source) !== undefined, 'the committed text is found');
  writeFileSync(join(dir, PARSED_CATALOG_FILE), '{"stacklight.yaml": ');
  assert.throws(() => parsedCatalog(dir), (e: Error) => e.message.startsWith(`${join(dir, PARSED_CATALOG_FILE)}: unreadable`));
});

function everySource(m: MatrixT): { where: string; source: SourceT }[] {
  const out: { where: string; source: SourceT }[] = [];
  const rules = (owner: string, dir: string, rs: RuleT[] | undefined) => (rs ?? []).forEach((r, i) => out.push({ where: `${owner}.${dir}[${i}]`, source: r.source }));
  for (const [name, c] of Object.entries(m.components)) {
    rules(name, 'ingress', c.ingress);
    rules(name, 'egress', c.egress);
    (c.exceptions ?? []).forEach((e, i) => out.push({ where: `${name}.exceptions[${i}]`, source: e.source }));
    if (typeof c.authoritative === 'object') {
      for (const d of ['ingress', 'egress'] as const) {
        const s = c.authoritative[d];
        if (typeof s === 'object' && s.source) out.push({ where: `${name}.authoritative.${d}`, source: s.source });
      }
    }
  }
  for (const s of m.shared ?? []) {
    rules(s.name, 'ingress', s.ingress);
    rules(s.name, 'egress', s.egress);
  }
  for (const [name, p] of Object.entries(m.parameters ?? {})) if (p.source) out.push({ where: `parameters.${name}`, source: p.source });
  return out;
}

test('each catalog matrix is transcribed from its seed document and every rule cites a line of it', () => {
  const catalog = loadCatalog();
  assert.deepEqual(catalog.map((c) => c.matrix.metadata.name).sort(), Object.keys(SEED_OF).sort());
  for (const { matrix } of catalog) {
    const seed = SEED_OF[matrix.metadata.name]!;
    const docs = Object.entries(matrix.documents);
    assert.equal(docs.length, 1);
    assert.equal(docs[0]![1].file, seed, `${matrix.metadata.name} cites ${seed}`);
    const lines = readFileSync(join(REFERENCE, seed), 'utf8').split('\n');
    const sources = everySource(matrix);
    const ruleCount = Object.values(matrix.components).reduce((n, c) => n + (c.ingress?.length ?? 0) + (c.egress?.length ?? 0), 0);
    assert.ok(ruleCount > 0);
    for (const { where, source } of sources) {
      assert.equal(source.document, docs[0]![0], `${matrix.metadata.name} ${where}`);
      assert.ok(source.line !== undefined, `${matrix.metadata.name} ${where} cites a line`);
      for (const l of [source.line, ...(source.also ?? [])]) {
        const text = lines[l - 1];
        assert.ok(text !== undefined && text.trim() !== '', `${matrix.metadata.name} ${where}: line ${l} of ${seed} is blank or missing`);
      }
      if (source.row) {
        const text = [source.line, ...(source.also ?? [])].map((l) => lines[l - 1] ?? '').join('\n').toLowerCase();
        const first = source.row.split(/[ (/]/)[0]!.toLowerCase();
        assert.ok(text.includes(first), `${matrix.metadata.name} ${where}: lines cited do not mention row "${source.row}"`);
      }
    }
  }
});

test('the StackLight matrix names every component the document lists', () => {
  const seed = readFileSync(join(REFERENCE, SEED_OF.stacklight!), 'utf8').split('\n');
  const listed = seed.filter((l) => l.trim().startsWith('•') && !l.includes('Because') && !l.includes('Due to')).length;
  const m = loadCatalog().find((c) => c.matrix.metadata.name === 'stacklight')!.matrix;
  const rowsCited = new Set(everySource(m).filter((s) => s.source.row).map((s) => s.source.line));
  assert.equal(rowsCited.size, listed, 'one cited row per bullet of the document');
});

test('the catalog is parsed once while its files stay the same, handed out frozen, and parsed again when a file changes', () => {
  const dir = tmpDir('flowmatrix-catalog-');
  const source = readFileSync(join(CATALOG_DIR, 'stacklight.yaml'), 'utf8');
  writeFileSync(join(dir, 'stacklight.yaml'), source);
  const first = loadCatalog(dir);
  assert.equal(loadCatalog(dir), first, 'unchanged files: the same parsed entries');
  assert.ok(Object.isFrozen(first) && Object.isFrozen(first[0]!.matrix.metadata), 'shared entries are frozen');
  assert.throws(() => {
    (first[0]!.matrix.metadata as { name: string }).name = 'changed';
  }, TypeError);
  // A different size: the signature changes even within the file system's time resolution.
  writeFileSync(join(dir, 'stacklight.yaml'), source.replace(/^(\s*title: .*)$/m, '$1 (edited)'));
  const second = loadCatalog(dir);
  assert.notEqual(second, first);
  assert.match(second[0]!.text, /\(edited\)/);
  writeFileSync(join(dir, 'kyma-telemetry.yaml'), readFileSync(join(CATALOG_DIR, 'kyma-telemetry.yaml'), 'utf8'));
  assert.deepEqual(loadCatalog(dir).map((c) => c.matrix.metadata.name), ['kyma-telemetry', 'stacklight'], 'an added file is read');
});
