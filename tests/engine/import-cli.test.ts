// The bulk import CLI against a running engine, on a folder laid out like ../shared/faces.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { FaceTemplate, Student, loadConfig, openDatabase } from '@attendance/shared';
import { startEngine, type TestEngine } from '../helpers/engine.js';
import { FACES_DIR, facesAvailable } from '../helpers/faces.js';
import { run } from '../helpers/spawn.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
let engine: TestEngine;

before(async () => { if (facesAvailable) engine = await startEngine(); });
after(async () => engine?.stop());

test('import:faces enrolls each folder as a student and reports rejected photos', { skip: !facesAvailable && `face fixtures missing at ${FACES_DIR}` }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fa-import-'));
  for (const person of ['fr_biden', 'sun_ZhouRunfa']) fs.symlinkSync(path.join(FACES_DIR, person), path.join(dir, person));
  fs.mkdirSync(path.join(dir, 'broken_person'));
  fs.writeFileSync(path.join(dir, 'broken_person', 'not-a-photo.jpg'), 'this is text, not a JPEG');
  fs.mkdirSync(path.join(dir, '_group'));
  fs.symlinkSync(path.join(FACES_DIR, '_group/insightface_t1.jpg'), path.join(dir, '_group', 't1.jpg'));

  const cli = run(path.join(ROOT, 'node_modules/.bin/tsx'), ['scripts/import-faces.ts', dir, '--engine', engine.url, '--consent-method', 'paper', '--policy-version', '2026-09'], { cwd: ROOT, env: engine.env });
  assert.equal(await cli.exited, 0, cli.output());
  const out = cli.output();
  assert.match(out, /3 folders, \d+ photos: 2 students enrolled/);
  assert.match(out, /broken_person\/not-a-photo\.jpg: not_an_image/);
  // Not a terminal: progress as whole lines every tenth, never a redrawn bar.
  assert.match(out, /\[import:faces\] \d+\/\d+ photos \(100 %\)\n/, 'progress lines');
  assert.doesNotMatch(out, /\r/, 'no carriage-return redraws in a log');

  const refused = run(path.join(ROOT, 'node_modules/.bin/tsx'), ['scripts/import-faces.ts', dir, '--engine', engine.url], { cwd: ROOT, env: engine.env });
  assert.equal(await refused.exited, 2, 'no import without saying how consent was collected');

  const { dataSource } = await openDatabase(loadConfig(engine.env), { migrate: false });
  try {
    const students = await dataSource.getRepository(Student).find({ order: { rollNumber: 'ASC' } });
    assert.deepEqual(students.map((s) => s.rollNumber), ['fr_biden', 'sun_ZhouRunfa']);
    assert.ok(await dataSource.getRepository(FaceTemplate).countBy({ studentId: students[0].id }) >= 1);
    assert.ok(students.every((s) => s.enrolledAt && s.consentAt));
  } finally {
    await dataSource.destroy();
  }
});
