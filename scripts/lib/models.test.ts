import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fetchModels, ModelFetchError } from './models.mjs';

function fixture() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fa-models-'));
  const source = path.join(dir, 'source');
  const dest = path.join(dir, 'dest');
  fs.mkdirSync(source);
  const bytes = crypto.randomBytes(1000);
  fs.writeFileSync(path.join(source, 'm.onnx'), bytes);
  const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
  const manifest = (sha: string) => {
    const file = path.join(dir, `manifest-${sha.slice(0, 8)}.json`);
    // An unreachable URL: if the copy is skipped, the download fails loudly instead of hanging.
    fs.writeFileSync(file, JSON.stringify({ models: [{ name: 'm', file: 'm.onnx', sha256: sha, url: 'http://127.0.0.1:9/m.onnx' }] }));
    return file;
  };
  return { source, dest, sha256, manifest };
}

test('a model whose sha256 does not match is refused and not installed', async () => {
  const f = fixture();
  await assert.rejects(fetchModels({ manifestFile: f.manifest('0'.repeat(64)), destDir: f.dest, sourceDir: f.source }),
    (err: unknown) => err instanceof ModelFetchError && /sha256 mismatch for m\.onnx/.test(err.message));
  assert.deepEqual(fs.readdirSync(f.dest), [], 'nothing left behind');
});

test('a matching model is copied once, then found in place', async () => {
  const f = fixture();
  const first = await fetchModels({ manifestFile: f.manifest(f.sha256), destDir: f.dest, sourceDir: f.source });
  assert.deepEqual(first.copied, ['m.onnx']);
  const second = await fetchModels({ manifestFile: f.manifest(f.sha256), destDir: f.dest, sourceDir: f.source });
  assert.deepEqual(second.present, ['m.onnx']);
});

test('a missing source with no reachable download fails with advice', async () => {
  const f = fixture();
  await assert.rejects(fetchModels({ manifestFile: f.manifest(f.sha256), destDir: f.dest, sourceDir: path.join(f.source, 'nope') }),
    (err: unknown) => err instanceof ModelFetchError && /MODELS_SOURCE_DIR/.test(err.message));
});

test('the project manifest matches the model files in place', async () => {
  const root = path.resolve(import.meta.dirname, '../..');
  const manifestFile = path.join(root, 'models/models.json');
  const r = await fetchModels({ manifestFile, destDir: path.join(root, 'models') });
  const listed = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as { models: unknown[] } | unknown[];
  const count = Array.isArray(listed) ? listed.length : listed.models.length;
  assert.ok(count >= 4, 'detector, embedder and anti-spoof models are listed');
  assert.equal(r.present.length, count, 'every listed model present with the right sha256');
});
