// Template key rotation end to end: enrol under key 1, rotate to key 2, and the engine recognises the
// student with key 2 alone; an engine given a key that decrypts nothing refuses to start.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import path from 'node:path';
import { test } from 'node:test';
import { FaceTemplate, loadConfig, openDatabase } from '@attendance/shared';
import { launchEngine, startEngine } from '../helpers/engine.js';
import { face, facesAvailable, FACES_DIR } from '../helpers/faces.js';
import { run } from '../helpers/spawn.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const consent = { given_by: 'Jane Doe', relationship: 'mother', method: 'paper', policy_version: '2026-09' };

async function recognize(url: string, token: string, rel: string) {
  const res = await fetch(`${url}/api/v1/recognize`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'image/jpeg' }, body: face(rel) });
  return ((await res.json()) as { faces: Array<{ match: { student_id: number } | null }> }).faces[0]?.match?.student_id;
}

test('rotating the template key keeps recognition working; a wrong key stops the engine', { skip: !facesAvailable && `face fixtures missing at ${FACES_DIR}`, timeout: 180_000 }, async () => {
  const first = await startEngine();
  const oldKey = loadConfig(first.env).TEMPLATE_ENCRYPTION_KEY;
  let studentId: number;
  try {
    const token = await first.token('staff');
    const res = await fetch(`${first.url}/api/v1/enroll`, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Obama', roll_number: 'K-1', consent, photos: ['fr_obama/obama.jpg', 'fr_obama/obama2.jpg'].map((f) => face(f).toString('base64')) }),
    });
    assert.equal(res.status, 201);
    studentId = ((await res.json()) as { student_id: number }).student_id;
  } finally {
    await first.stop();
  }

  const newKey = crypto.randomBytes(32).toString('base64');
  const rotating = { ...first.env, TEMPLATE_ENCRYPTION_KEY: newKey, TEMPLATE_KEY_ID: 'k2', TEMPLATE_OLD_KEYS: `k1:${oldKey}` };
  const rotate = run(path.join(ROOT, 'node_modules/.bin/tsx'), ['scripts/rotate-key.ts'], { cwd: ROOT, env: rotating });
  assert.equal(await rotate.exited, 0, rotate.output());
  assert.match(rotate.output(), /2 template\(s\) to re-encrypt under key k2/);
  const { dataSource } = await openDatabase(loadConfig(rotating), { migrate: false });
  try {
    assert.deepEqual([...new Set((await dataSource.getRepository(FaceTemplate).find()).map((t) => t.keyId))], ['k2']);
  } finally {
    await dataSource.destroy();
  }

  const { TEMPLATE_OLD_KEYS: _dropped, ...rotated } = rotating;
  const second = await launchEngine(rotated);
  try {
    assert.equal(await recognize(second.url, await second.token('staff'), 'fr_obama/obama1.jpg'), studentId, 'recognised under the new key');
  } finally {
    await second.stop();
  }

  // The old key (under the new key's id) decrypts nothing: the engine refuses to start rather than recognise no one.
  await assert.rejects(launchEngine({ ...rotated, TEMPLATE_ENCRYPTION_KEY: oldKey }), /cannot decrypt any of the 2 face templates/);
});
