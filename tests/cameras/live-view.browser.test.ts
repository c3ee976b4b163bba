// The teacher's live page in real Chromium against the real admin server and engine: start detection
// on a (file) camera, watch the MJPEG preview, and see the student appear in the list as they are marked.
import '../helpers/admin-env.js';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { In } from 'typeorm';
import { Camera, ClassGroup, ClassSession, Student, User, loadConfig, openDatabase } from '@attendance/shared';
import { artifactPath, fakeWebcam, launchChromium, loginAs } from '../helpers/browser.js';
import { PASSWORD, startEngine, waitHealthy, type TestEngine } from '../helpers/engine.js';
import { face, facesAvailable, FACES_DIR } from '../helpers/faces.js';
import { makeSlideshow } from '../helpers/rtsp.js';
import { freePort, run, type Running } from '../helpers/spawn.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
let engine: TestEngine;
let admin: Running;
let adminUrl: string;
let cameraId: number;

before(async () => {
  if (!facesAvailable) return;
  const adminPort = await freePort();
  adminUrl = `http://127.0.0.1:${adminPort}`;
  engine = await startEngine({ CORS_ORIGINS: adminUrl });
  const token = await engine.token('staff');
  const consent = { given_by: 'Jane Doe', relationship: 'mother', method: 'paper', policy_version: '2026-09' };
  const enrolled = await fetch(`${engine.url}/api/v1/enroll`, {
    method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Barack Obama', roll_number: 'L-1', consent, photos: ['fr_obama/obama.jpg', 'fr_obama/obama1.jpg', 'fr_obama/obama2.jpg'].map((f) => face(f).toString('base64')) }),
  });
  assert.equal(enrolled.status, 201);
  const second = await fetch(`${engine.url}/api/v1/enroll`, {
    method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Laptop Pupil', roll_number: 'L-2', consent, photos: ['deepface_p01/img2.jpg', 'deepface_p01/img4.jpg', 'deepface_p01/img6.jpg'].map((f) => face(f).toString('base64')) }),
  });
  assert.equal(second.status, 201, await second.clone().text());
  // A photo the anti-spoofing model judges real even after video compression.
  const video = await makeSlideshow(['fr_obama/obama3.jpg'], { secondsEach: 4, name: 'live.mp4' });
  const { dataSource } = await openDatabase(loadConfig(engine.env), { migrate: false });
  try {
    cameraId = (await dataSource.getRepository(Camera).save({ name: 'Room 101', room: '101', source: `file:${video}?loop=1`, enabled: false })).id;
    // The teacher teaches a class timetabled in front of this camera: that is what lets them drive it.
    const teacher = await dataSource.getRepository(User).findOneByOrFail({ username: 'teacher' });
    const group = await dataSource.getRepository(ClassGroup).save({ name: '7A', teacherId: teacher.id });
    await dataSource.getRepository(ClassSession).save({ classGroupId: group.id, cameraId, weekday: 1, startTime: '08:00', endTime: '08:45', lateAfterMinutes: 10 });
    // Their pupils: a teacher sees the marks of their own classes' students only.
    await dataSource.getRepository(Student).update({ rollNumber: In(['L-1', 'L-2']) }, { classGroupId: group.id });
  } finally {
    await dataSource.destroy();
  }
  admin = run(path.join(ROOT, 'node_modules/.bin/tsx'), ['admin-server/src/main.ts'], {
    cwd: ROOT, env: { ...engine.env, ADMIN_PORT: String(adminPort), ENGINE_URL: engine.url, PUBLIC_ENGINE_URL: engine.url },
  });
  await waitHealthy(adminUrl, admin, 180_000); // tsx compiles the admin server first: slow on a busy machine
});
after(async () => { await admin?.stop('SIGTERM'); await engine?.stop(); });

test('a teacher opens the live view, starts detection, sees the preview and the student marked live', { skip: !facesAvailable && `face fixtures missing at ${FACES_DIR}`, timeout: 180_000 }, async () => {
  const { browser, close } = await launchChromium();
  try {
    const context = await loginAs(browser, adminUrl, 'teacher', PASSWORD);
    const page = await context.newPage();
    await page.goto(`/admin/resources/Camera/records/${cameraId}/liveView`, { waitUntil: 'domcontentloaded', timeout: 90_000 }); // an MJPEG stream never finishes loading
    await page.getByTestId('live-start').click();
    await page.getByTestId('live-marks').locator('li', { hasText: 'Barack Obama' }).waitFor({ timeout: 60_000 });
    await page.getByTestId('live-state').filter({ hasText: 'running' }).waitFor({ timeout: 30_000 });
    // The MJPEG preview is drawing frames (an <img> of a multipart stream has a size once a part arrived).
    await page.waitForFunction(() => (document.querySelector('[data-testid=live-preview]') as HTMLImageElement | null)?.naturalWidth === 640, null, { timeout: 30_000 });
    // Names are written over the preview by the page (the engine's MJPEG has the boxes only).
    await page.getByTestId('live-labels').getByText(/Barack Obama 0\.\d\d/).waitFor({ timeout: 30_000 });
    await page.screenshot({ path: artifactPath('live-view.png') });
    await page.getByTestId('live-stop').click();
    await page.getByTestId('live-state').filter({ hasText: 'stopped' }).waitFor({ timeout: 30_000 });
  } finally {
    await close();
  }
});

test("a teacher uses the laptop's own camera (a fake webcam) and the student is marked the same way", { skip: !facesAvailable && `face fixtures missing at ${FACES_DIR}`, timeout: 300_000 }, async () => {
  const y4m = path.join(process.env.TEST_TMP_DIR ?? '/tmp', `laptop-${process.pid}.y4m`);
  execFileSync('ffmpeg', ['-y', '-loglevel', 'error', '-loop', '1', '-i', path.join(FACES_DIR, 'deepface_p01/img1.jpg'), '-vf',
    'scale=640:480:force_original_aspect_ratio=decrease,pad=640:480:(ow-iw)/2:(oh-ih)/2,format=yuv420p', '-r', '10', '-t', '3', y4m]);
  const { browser, close } = await launchChromium(fakeWebcam(y4m));
  try {
    const context = await loginAs(browser, adminUrl, 'teacher', PASSWORD);
    const page = await context.newPage();
    await page.goto(`/admin/resources/Camera/records/${cameraId}/liveView`, { waitUntil: 'domcontentloaded', timeout: 90_000 }); // an MJPEG stream never finishes loading
    await page.getByTestId('laptop-toggle').click();
    // 17 s on a quiet machine; more than 60 s once while the whole suite ran beside it (a correctness test, not a speed one).
    await page.getByTestId('live-marks').locator('li', { hasText: 'Laptop Pupil' }).waitFor({ timeout: 180_000 });
    await page.screenshot({ path: artifactPath('live-view-laptop.png') });
    await page.getByTestId('laptop-toggle').click();
    await page.getByTestId('laptop-toggle').filter({ hasText: "Use this laptop's camera" }).waitFor();
  } finally {
    await close();
  }
  const { dataSource } = await openDatabase(loadConfig(engine.env), { migrate: false });
  try {
    const rows: Array<{ source: string }> = await dataSource.query("SELECT a.source FROM attendance_log a JOIN students s ON s.id = a.student_id WHERE s.roll_number = 'L-2'");
    assert.deepEqual(rows, [{ source: 'laptop' }]);
  } finally {
    await dataSource.destroy();
  }
});
