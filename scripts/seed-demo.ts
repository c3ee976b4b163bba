// `npm run seed:demo`: demo class groups, a timetable, cameras playing the test videos, and one
// student per identity folder of ../shared/faces (or FACES_DIR). Students are enrolled from their
// photos through the engine's /enroll when the engine answers /health; otherwise they are created
// without templates. Safe to run again: existing rows are kept, only missing enrolments are retried.
// Run beside `npm start`, it finds the running installation (Redis, engine URL) from DATA_DIR/runtime.json.
// The rows are written in one transaction: a failure leaves nothing half-made.
import fs from 'node:fs';
import path from 'node:path';
import type { DeepPartial, EntityManager, EntityTarget, FindOptionsWhere, ObjectLiteral } from 'typeorm';
import {
  Camera, ClassGroup, ClassSession, FaceTemplate, REPO_ROOT, Student, User, assertSchemaNotNewer, ensureFirstAdmin, failTool, generatePassword,
  hashPassword, loadToolConfig, openDatabase, signToken, type Role,
} from '@attendance/shared';
import { EngineClient, EngineError } from '../admin-server/src/services/engine-client.js';

const say = (msg: string) => console.log(`[seed:demo] ${msg}`);
const PHOTOS_PER_STUDENT = 4;
/** Larger files are skipped: the engine's body limit is for a few phone photos at a time. */
const MAX_PHOTO_BYTES = 3 * 1024 * 1024;

/** The row matching `where`, created with `values` when missing (so a second run changes nothing). */
async function upsert<T extends ObjectLiteral>(ds: EntityManager, entity: EntityTarget<T>, where: FindOptionsWhere<T>, values: DeepPartial<T>): Promise<T> {
  const repo = ds.getRepository(entity);
  const found = await repo.findOneBy(where);
  return found ?? repo.save(repo.create({ ...(where as DeepPartial<T>), ...values }));
}

async function demoUser(ds: EntityManager, username: string, role: Role): Promise<User> {
  const existing = await ds.getRepository(User).findOneBy({ username });
  if (existing) return existing;
  const password = generatePassword();
  const user = await ds.getRepository(User).save({ username, displayName: `Demo ${role}`, role, active: true, passwordHash: await hashPassword(password) });
  say(`created user ${username} (${role}) with password ${password}  — shown once`);
  return user;
}

function identityFolders(facesDir: string): string[] {
  return fs.readdirSync(facesDir)
    .filter((name) => !name.startsWith('_') && fs.statSync(path.join(facesDir, name)).isDirectory()).sort(); // follows links
}

function photosOf(dir: string): string[] {
  return fs.readdirSync(dir).filter((f) => /\.(jpe?g|png)$/i.test(f)).sort()
    .map((f) => path.join(dir, f)).filter((f) => fs.statSync(f).size <= MAX_PHOTO_BYTES).slice(0, PHOTOS_PER_STUDENT);
}

async function main(): Promise<void> {
  const { config } = loadToolConfig();
  const facesDir = path.resolve(process.env.FACES_DIR ?? path.join(REPO_ROOT, '../shared/faces'));
  const engine = new EngineClient({ baseUrl: config.ENGINE_URL, timeoutMs: 120_000 });
  const engineUp = await engine.health();
  const { dataSource } = await openDatabase(config, { migrate: false });
  try {
    // A fresh database is migrated here (seeding before the first start); a newer one is refused.
    await assertSchemaNotNewer(dataSource);
    await dataSource.runMigrations({ transaction: 'each' });
    const first = await ensureFirstAdmin(dataSource, config.ADMIN_PASSWORD);
    if (first.generatedPassword) say(`created user admin with password ${first.generatedPassword}  — shown once`);
    const admin = (await dataSource.getRepository(User).findOneBy({ role: 'admin', active: true }))!;
    const students = await dataSource.transaction((tx) => seedRows(tx, facesDir));
    if (!students.length) return;
    if (!engineUp) {
      say(`the engine does not answer at ${config.ENGINE_URL}/health: students were created WITHOUT face templates.`);
      say('Enrolment needs the engine: start it (npm start) and run `npm run seed:demo` again.');
      return;
    }
    const token = await signToken({ secret: config.JWT_SECRET, issuer: config.JWT_ISSUER }, { sub: String(admin.id), username: admin.username, role: 'admin' }, 'engine', 300);
    let enrolled = 0;
    for (const { student, folder } of students) {
      if (await dataSource.getRepository(FaceTemplate).countBy({ studentId: student.id })) continue;
      const files = photosOf(path.join(facesDir, folder));
      if (!files.length) continue;
      try {
        const r = await engine.enroll(token, student.id, files.map((f) => fs.readFileSync(f).toString('base64')));
        enrolled += r.templates > 0 ? 1 : 0;
        const rejected = r.rejected.map((x) => `${path.basename(files[x.index])}: ${x.reasons.join(', ')}`);
        say(`${student.rollNumber}: ${r.templates} template(s)${rejected.length ? `; rejected ${rejected.join('; ')}` : ''}`);
      } catch (err) {
        if (!(err instanceof EngineError)) throw err;
        say(`${student.rollNumber}: not enrolled (${err.status} ${err.message})`);
      }
    }
    say(`enrolled ${enrolled} student(s) through the engine`);
  } finally {
    await dataSource.destroy();
  }
  say('done. Log in at /admin.');
}

/** Users, classes, cameras, timetable and students, in one transaction; returns the students to enrol. */
async function seedRows(ds: EntityManager, facesDir: string): Promise<{ student: Student; folder: string }[]> {
  const teacher = await demoUser(ds, 'demo.teacher', 'teacher');
  await demoUser(ds, 'demo.staff', 'staff');

  const groups = [
    await upsert(ds, ClassGroup, { name: 'Demo 7A' }, { description: 'Demo class (seed:demo)', teacherId: teacher.id }),
    await upsert(ds, ClassGroup, { name: 'Demo 8B' }, { description: 'Demo class (seed:demo)', teacherId: null }),
    await upsert(ds, ClassGroup, { name: 'Demo 9C' }, { description: 'Demo class (seed:demo)', teacherId: null }),
  ];
  const videos = fs.existsSync(path.join(facesDir, '_videos')) ? fs.readdirSync(path.join(facesDir, '_videos')).filter((f) => f.endsWith('.mp4')).sort() : [];
  const cameras: Camera[] = [];
  for (const [i, room] of ['101', '102', '103'].entries()) {
    const video = videos[i % Math.max(videos.length, 1)];
    const source = video ? `file:${path.join(facesDir, '_videos', video)}` : 'usb:0';
    cameras.push(await upsert(ds, Camera, { name: `Demo room ${room}` }, { source, room, enabled: false, status: 'stopped' }));
  }
  if (!videos.length) say(`no videos in ${facesDir}/_videos: cameras point at usb:0`);

  // Each group has two lessons a day, Monday to Friday, in its own room.
  if (!(await ds.getRepository(ClassSession).countBy({ classGroupId: groups[0].id }))) {
    const lessons = [['08:30', '09:30', 'Maths'], ['10:00', '11:00', 'Languages']] as const;
    const rows = groups.flatMap((g, gi) => [1, 2, 3, 4, 5].flatMap((weekday) => lessons.map(([startTime, endTime, subject]) => ({
      classGroupId: g.id, cameraId: cameras[gi].id, weekday, startTime, endTime, subject, lateAfterMinutes: 10,
    }))));
    await ds.getRepository(ClassSession).save(rows);
    say(`timetable: ${rows.length} weekly lessons`);
  }

  if (!fs.existsSync(facesDir)) {
    say(`no face folders at ${facesDir} (set FACES_DIR): no students created`);
    return [];
  }
  const students: { student: Student; folder: string }[] = [];
  for (const [i, folder] of identityFolders(facesDir).entries()) {
    const n = String(i + 1).padStart(3, '0');
    // Demo names, not the people's: the folders hold photos of real people.
    const student = await upsert(ds, Student, { rollNumber: `DEMO-${n}` }, { name: `Demo Student ${n}`, classGroupId: groups[i % groups.length].id, active: true, consentAt: new Date() });
    students.push({ student, folder });
  }
  say(`${students.length} students (one per identity folder of ${facesDir})`);
  return students;
}

main().catch((err) => failTool('seed:demo', err));
