// The scenario on the real engine over HTTP: simultaneous enrolments, roll-number clashes,
// `recognize?mark=true` from several cameras, this test process writing the same SQLite file as a
// second process would, and the engine killed with SIGKILL mid-run. Every mark the engine answered
// `marked: true` must be in the database after the restart.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Camera, ClassGroup, ClassSession, loadConfig, openDatabase, schoolClock } from '@attendance/shared';
import { PASSWORD, prepareDatabase, waitHealthy } from '../helpers/engine.js';
import { face, facesAvailable, FACES_DIR } from '../helpers/faces.js';
import { freePort, run, type Running } from '../helpers/spawn.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CAMERAS = 8;
const KILL_AFTER_ACKS = 15;
const consent = { given_by: 'Jane Doe', relationship: 'mother', method: 'paper', policy_version: '2026-09' };
/** Enrolment photos and another photo of the same person to recognise. */
const PEOPLE = [
  { name: 'Barack Obama', enrol: ['fr_obama/obama.jpg', 'fr_obama/obama2.jpg'], probe: 'fr_obama/obama1.jpg' },
  { name: 'Joe Biden', enrol: ['fr_biden/biden.jpg'], probe: 'fr_biden/biden2.jpg' },
  { name: 'Kit Harington', enrol: ['fr_kit_harington/john1.jpeg'], probe: 'fr_kit_harington/john2.jpeg' },
  { name: 'Rose Leslie', enrol: ['fr_rose_leslie/img1.jpg'], probe: 'fr_rose_leslie/img2.jpg' },
];
/** Not enrolled: its enrolment passes the face check and then fails on the roll number, inside the transaction. */
const STRANGER = { name: 'Clash', enrol: ['deepface_p01/img1.jpg'], probe: '' };
const b64 = (rel: string) => face(rel).toString('base64');

describe('the real engine: marks acknowledged only when committed, through clashes and SIGKILL', { skip: !facesAvailable && `face fixtures missing at ${FACES_DIR}` }, () => {
  let env: NodeJS.ProcessEnv;
  let engine: Running;
  let url: string;
  let token: string;
  let db: Awaited<ReturnType<typeof openDatabase>>['dataSource'];
  let cameras: Camera[] = [];
  let groupId = 0;
  const students = new Map<string, number>();

  /** The engine process itself (no tsx wrapper in between), so SIGKILL really kills the writer. */
  async function launch(): Promise<void> {
    engine = run(process.execPath, ['--import', 'tsx', path.join(ROOT, 'ai-engine/src/main.ts')], { cwd: ROOT, env });
    await waitHealthy(url, engine).catch(async (err: unknown) => { await engine.stop('SIGKILL'); throw err; });
    const res = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'staff', password: PASSWORD }) });
    token = ((await res.json()) as { access_token: string }).access_token;
  }

  async function post(route: string, json: unknown): Promise<{ status: number; body: any }> {
    const res = await fetch(`${url}${route}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(json) });
    return { status: res.status, body: await res.json().catch(() => null) };
  }

  const enrol = (person: (typeof PEOPLE)[number], roll: string, classGroupId: number) =>
    post('/api/v1/enroll', { name: person.name, roll_number: roll, class_group_id: classGroupId, consent, photos: person.enrol.map(b64) });

  before(async () => {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    env = await prepareDatabase({ ENGINE_PORT: String(port), SCHOOL_TIMEZONE: 'UTC' });
    ({ dataSource: db } = await openDatabase(loadConfig(env), { migrate: false }));
    // One class, in session all day in front of every camera: each camera is its own slot, so one face gives one mark per camera.
    const group = await db.getRepository(ClassGroup).save({ name: 'Integrity' });
    groupId = group.id;
    cameras = await db.getRepository(Camera).save(Array.from({ length: CAMERAS }, (_, i) => ({ name: `Cam ${i}`, source: 'file:/dev/null', enabled: false })));
    const { weekday } = schoolClock(new Date(), 'UTC');
    await db.getRepository(ClassSession).save(cameras.map((c) => ({ classGroupId: group.id, cameraId: c.id, weekday, startTime: '00:00', endTime: '23:59', lateAfterMinutes: 1440 })));
    await launch();
    // Two simultaneous enrolments both succeed; a third with a roll number just taken is a 409, never a 500.
    const [a, b] = await Promise.all([enrol(PEOPLE[0], 'E-0', group.id), enrol(PEOPLE[1], 'E-1', group.id)]);
    assert.deepEqual([a.status, b.status], [201, 201], JSON.stringify([a.body, b.body]));
    const clash = await enrol(PEOPLE[2], 'E-0', group.id);
    assert.equal(clash.status, 409, JSON.stringify(clash.body));
    const [c, d] = await Promise.all([enrol(PEOPLE[2], 'E-2', group.id), enrol(PEOPLE[3], 'E-3', group.id)]);
    assert.deepEqual([c.status, d.status], [201, 201], JSON.stringify([c.body, d.body]));
    for (const [i, r] of [a, b, c, d].entries()) students.set(PEOPLE[i].probe, r.body.student_id);
  });
  after(async () => {
    await engine?.stop('SIGTERM');
    await db?.destroy();
  });

  test('a bad class group is a 400, not "roll number taken"; a camera that does not exist is refused, never "already marked"', async () => {
    const bad = await post('/api/v1/enroll', { name: 'Nobody', roll_number: 'E-9', class_group_id: 999_999, consent, photos: [b64('deepface_p01/img1.jpg')] });
    assert.equal(bad.status, 400, JSON.stringify(bad.body));
    const huge = await post('/api/v1/enroll', { name: 'Nobody', roll_number: 'E-9', class_group_id: 2 ** 31, consent, photos: [b64('deepface_p01/img1.jpg')] });
    assert.equal(huge.status, 400, JSON.stringify(huge.body));
    const ghost = await post('/api/v1/recognize?mark=true&camera_id=999999', { image: b64(PEOPLE[0].probe) });
    assert.ok(ghost.status >= 400 && ghost.status < 500, `${ghost.status} ${JSON.stringify(ghost.body)}`);
  });

  test('marks from every camera while enrolments clash and another process writes; SIGKILL mid-run; none acknowledged is lost', async () => {
    const tasks = cameras.flatMap((c) => PEOPLE.map((p) => ({ cameraId: c.id, probe: p.probe })));
    const acked: Array<{ studentId: number; slot: string; day: string }> = [];
    let killed = false;
    let clashes = 0;
    let noise = 0;
    /** Three requests at a time; with `killAfter`, SIGKILL the engine once that many marks were acknowledged. */
    const markAll = async (todo: typeof tasks, killAfter = Infinity) => {
      let next = 0;
      const chain = async () => {
        while (next < todo.length && !(killAfter < Infinity && killed)) {
          const t = todo[next++];
          const r = await post(`/api/v1/recognize?mark=true&camera_id=${t.cameraId}`, { image: b64(t.probe) }).catch(() => null);
          for (const m of r?.status === 200 ? r.body.marks : []) if (m.marked) acked.push({ studentId: m.student_id, slot: m.slot, day: m.day });
          if (acked.length >= killAfter && !killed) {
            killed = true;
            engine.child.kill('SIGKILL');
          }
        }
      };
      await Promise.all([chain(), chain(), chain()]);
    };
    // Beside the marks: enrolments that fail on a taken roll number, and this process writing the same file.
    let running = true;
    const clashing = (async () => {
      while (running && !killed) {
        const r = await enrol(STRANGER, 'E-0', groupId).catch(() => null);
        if (r?.status === 409) clashes++;
      }
    })();
    const writing = (async () => {
      while (running) {
        await db.getRepository(Camera).update(cameras[noise % CAMERAS].id, { status: 'stopped', statusAt: new Date() });
        noise++;
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    await markAll(tasks, KILL_AFTER_ACKS);
    running = false;
    await Promise.all([clashing, writing]);
    assert.ok(killed, `the engine was killed mid-run (after ${acked.length} acknowledged marks)`);
    await engine.exited;
    assert.equal(engine.child.signalCode, 'SIGKILL');
    assert.ok(clashes > 0, 'enrolments clashed on a roll number during the run');
    assert.ok(noise > 0, 'the second process wrote during the run');

    await launch();
    const before = acked.length;
    await markAll(tasks); // the rest: committed-but-unanswered ones now answer already_marked
    const rows: Array<{ student_id: number; slot: string; day: string }> = await db.query('SELECT student_id, slot, day FROM attendance_log');
    const stored = new Set(rows.map((r) => `${r.student_id}/${r.slot}/${r.day}`));
    const lost = acked.filter((a) => !stored.has(`${a.studentId}/${a.slot}/${a.day}`));
    assert.deepEqual(lost, [], `acknowledged marks lost (${before} before the kill, ${acked.length} in all)`);
    assert.ok(acked.length > before, 'the restarted engine marks the rest');
  });
});
