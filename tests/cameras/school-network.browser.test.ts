// The panel as a school device on the network sees it: a host name that is not localhost, over HTTPS with
// the certificate the admin server generated, the engine reached only through the admin server's origin.
// With a fake webcam: a liveness registration, then a laptop-camera session that marks the student.
import '../helpers/admin-env.js';
import assert from 'node:assert/strict';
import http from 'node:http';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { AttendanceLog, Camera, Student } from '@attendance/shared';
import { artifactPath, fakeWebcam, launchChromium, loginAs, schoolHost } from '../helpers/browser.js';
import { PASSWORD } from '../helpers/engine.js';
import { facesAvailable, FACES_DIR } from '../helpers/faces.js';
import { PERSON_A } from '../helpers/liveness-fixtures.js';
import { makeVideo, startLivenessStack, type LivenessStack } from '../helpers/liveness-stack.js';
import { freePort } from '../helpers/spawn.js';

const HOST = 'attendance.school.test';
let stack: LivenessStack;
let httpsPort: number;
let video: string;

before(async () => {
  if (!facesAvailable) return;
  const tmp = process.env.TEST_TMP_DIR!;
  video = makeVideo(path.join(tmp, 'school-network-turning.y4m'), [PERSON_A.center, PERSON_A.left, PERSON_A.right]);
  httpsPort = await freePort();
  stack = await startLivenessStack({ LIVENESS_TIME_LIMIT_SECONDS: '15' }, {
    TLS_SELF_SIGNED: 'true', TLS_HOSTNAMES: HOST, HTTPS_PORT: String(httpsPort), DATA_DIR: path.join(tmp, `school-network-${process.pid}`),
  });
});
after(async () => stack?.stop());

test('a page asked for over plain HTTP from another machine moves to HTTPS', { skip: !facesAvailable && `face fixtures missing at ${FACES_DIR}` }, async () => {
  const { port } = new URL(stack.admin.url);
  const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: '/admin/login', headers: { host: `${HOST}:${port}` } }, resolve).on('error', reject);
  });
  res.resume();
  assert.equal(res.statusCode, 308);
  assert.equal(res.headers.location, `https://${HOST}:${httpsPort}/admin/login`);
});

test('over HTTPS on a school host name: liveness registration, then the laptop camera marks the student', { skip: !facesAvailable && `face fixtures missing at ${FACES_DIR}`, timeout: 240_000 }, async () => {
  const ds = stack.admin.ds;
  const student = await ds.getRepository(Student).save({ name: 'Dōng Xùjiǒng', rollNumber: 'NET-1', active: true, consentAt: new Date() });
  const camera = await ds.getRepository(Camera).save({ name: 'Library', room: 'L1', source: 'usb:9', enabled: false });
  const { browser, close } = await launchChromium([...fakeWebcam(video), ...schoolHost(HOST)]);
  try {
    const origin = `https://${HOST}:${httpsPort}`;
    const context = await loginAs(browser, origin, 'staff', PASSWORD);
    const page = await context.newPage();
    await page.goto(`/admin/resources/Student/records/${student.id}/show`);
    assert.equal(await page.evaluate('window.isSecureContext'), true, 'an https:// school address is a secure context');
    await page.getByTestId('page-actions').getByTestId('action-registerFace').click();
    await page.waitForURL((u) => u.pathname.endsWith(`/records/${student.id}/show`), { timeout: 60_000 });
    await page.getByText(/Face registered/).first().waitFor({ timeout: 10_000 });

    const engineCalls: string[] = [];
    page.on('websocket', (ws) => engineCalls.push(ws.url()));
    await page.goto(`/admin/resources/Camera/records/${camera.id}/liveView`);
    await page.getByTestId('laptop-toggle').click();
    await page.getByTestId('live-marks').locator('li', { hasText: 'Dōng Xùjiǒng' }).waitFor({ timeout: 90_000 });
    // The name over the video is the page's text (the engine's own drawing had "D?ng X?ji?ng").
    await page.getByTestId('live-labels').getByText(/Dōng Xùjiǒng 0\.\d\d/).waitFor({ timeout: 30_000 });
    await page.screenshot({ path: artifactPath('school-network-laptop.png') });
    await page.getByTestId('laptop-toggle').click();
    assert.ok(engineCalls.length > 0 && engineCalls.every((u) => u.startsWith(`wss://${HOST}:${httpsPort}/engine/ws`)), `engine sockets on the panel's origin: ${engineCalls.join(', ')}`);
  } finally {
    await close();
  }
  const marks = await ds.getRepository(AttendanceLog).findBy({ studentId: student.id });
  assert.deepEqual(marks.map((m) => m.source), ['laptop']);
});
