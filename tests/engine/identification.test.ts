// Identification rules through the engine's own API: photos of another person cannot be added to an enrolled
// student (one child marked for another) unless an admin overrides it, audited; the photo's subject is its central
// face; uploaded stills are not refused as spoofs; the operating point is shown to admins and in /metrics.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { AuditLog, FaceTemplate, loadConfig, openDatabase } from '@attendance/shared';
import { face, facesAvailable, FACES_DIR } from '../helpers/faces.js';
import { startEngine, type TestEngine } from '../helpers/engine.js';

const consent = { given_by: 'Jane Doe', relationship: 'mother', method: 'paper', policy_version: '2026-09' };
const b64 = (rel: string) => face(rel).toString('base64');

describe('identification rules', { skip: !facesAvailable && `face fixtures missing at ${FACES_DIR}` }, () => {
  let engine: TestEngine;
  const call = async (path: string, token: string, json?: unknown) => {
    const res = await fetch(`${engine.url}${path}`, {
      method: json === undefined ? 'GET' : 'POST', headers: { authorization: `Bearer ${token}`, ...(json === undefined ? {} : { 'content-type': 'application/json' }) },
      body: json === undefined ? undefined : JSON.stringify(json),
    });
    const text = await res.text();
    return { status: res.status, body: res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text };
  };
  before(async () => { engine = await startEngine(); });
  after(async () => { await engine?.stop(); });

  test('adding another person\'s photos to an enrolled student is refused; an admin may override, and it is audited', async () => {
    const staff = await engine.token('staff');
    const admin = await engine.token('admin');
    const obama = await call('/api/v1/enroll', staff, { name: 'Barack Obama', roll_number: 'I-1', consent, photos: ['fr_obama/obama.jpg', 'fr_obama/obama2.jpg'].map(b64) });
    assert.equal(obama.status, 201, JSON.stringify(obama.body));
    const id = obama.body.student_id;
    // More photos of the same person: accepted.
    const same = await call('/api/v1/enroll', staff, { student_id: id, photos: [b64('fr_obama/obama3.jpg')] });
    assert.equal(same.status, 201, JSON.stringify(same.body));
    // Someone else's photos on this student: refused with a reason, nothing stored.
    const other = await call('/api/v1/enroll', staff, { student_id: id, photos: ['fr_biden/biden.jpg'].map(b64) });
    assert.equal(other.status, 409, JSON.stringify(other.body));
    assert.equal(other.body.details.reason, 'does_not_match_student');
    assert.match(other.body.message, /do not match the face already enrolled/);
    assert.equal((await call('/api/v1/enroll', staff, { student_id: id, photos: ['fr_biden/biden.jpg'].map(b64), force: true })).status, 403, 'staff may not override');
    const forced = await call('/api/v1/enroll', admin, { student_id: id, photos: ['fr_biden/biden.jpg'].map(b64), force: true });
    assert.equal(forced.status, 201, JSON.stringify(forced.body));
    const { dataSource } = await openDatabase(loadConfig(engine.env), { migrate: false });
    try {
      assert.equal(await dataSource.getRepository(FaceTemplate).countBy({ studentId: id }), 4);
      const audits = await dataSource.getRepository(AuditLog).find({ where: { action: 'enrollment.templates_added', entityId: String(id) }, order: { id: 'ASC' } });
      assert.deepEqual(audits.map((a) => JSON.parse(a.details!).overridden), [[], [], ['does_not_match_student']]);
    } finally {
      await dataSource.destroy();
    }
  });

  test('the operating point (gallery size, threshold, estimated FPIR) is shown to admins and in /metrics', async () => {
    const admin = await engine.token('admin');
    const op = await call('/api/v1/recognition/operating-point?searched=30', admin);
    assert.equal(op.status, 200, JSON.stringify(op.body));
    const { school, roster } = op.body;
    assert.equal(school.students, 1);
    assert.equal(school.targetFpir, 0.003);
    assert.ok(school.threshold > 0.3 && school.threshold < 0.6, JSON.stringify(school));
    assert.ok(school.estimatedFpir <= 0.003 + 1e-9);
    assert.equal(roster.searched, 1, 'a roster cannot search more students than are enrolled');
    assert.equal((await call('/api/v1/recognition/operating-point?searched=abc', admin)).status, 400);
    assert.equal((await call('/api/v1/recognition/operating-point', await engine.token('teacher'))).status, 403);
    const metrics = await call('/metrics', admin);
    assert.match(metrics.body, /engine_match_threshold 0\.\d+/);
    assert.match(metrics.body, /engine_match_estimated_fpir [\d.e-]+/);
    assert.match(metrics.body, /engine_match_target_fpir 0\.003/);
  });

  test('an uploaded still is not refused as a spoof; the live path still is (anti-spoof applies to live sources)', async () => {
    const staff = await engine.token('staff');
    // A presentation attack photographed: P(real) is low. Uploaded, it is reported with its score, not refused.
    const still = await call('/api/v1/recognize', staff, { image: b64('_antispoof/silentface_spoof_image_F1.jpg') });
    assert.equal(still.status, 200);
    const [f] = still.body.faces;
    assert.ok(f.real < 0.5, `P(real) ${f.real}`);
    assert.notEqual(f.verdict, 'spoof');
    // Marking attendance from it is a live use: anti-spoofing applies.
    const marking = await call('/api/v1/recognize?mark=true', staff, { image: b64('_antispoof/silentface_spoof_image_F1.jpg') });
    assert.equal(marking.status, 200, JSON.stringify(marking.body));
    assert.equal(marking.body.faces[0].verdict, 'spoof');
    assert.deepEqual(marking.body.marks, []);
  });
});
