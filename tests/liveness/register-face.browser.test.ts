// The whole "Register face" modal in real headless Chromium, with a fake webcam playing videos built
// from real photos: admin panel (this process) → scoped token → engine (real process, real models).
import '../helpers/admin-env.js';
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AuditLog, Student, verifyToken } from '@attendance/shared';
import { loginCookie, withCookie } from '../helpers/admin-http.js';
import { loginAs } from '../helpers/browser.js';
import { PASSWORD } from '../helpers/engine.js';
import { facesAvailable, FACES_DIR } from '../helpers/faces.js';
import { imageTraces } from '../helpers/image-traces.js';
import { PERSON_A, PERSON_B, b64 } from '../helpers/liveness-fixtures.js';
import { launchWithWebcam, makeVideo, startLivenessStack, type LivenessStack } from '../helpers/liveness-stack.js';

let stack: LivenessStack;
const videos = { turning: '', still: '', cut: '' };

/** Opens the student, clicks Register face, and returns the page with the modal's frame. */
async function openModal(video: string, studentId: number) {
  const browser = await launchWithWebcam(video);
  const context = await loginAs(browser, stack.admin.url, 'staff', PASSWORD);
  const page = await context.newPage();
  await page.goto(`/admin/resources/Student/records/${studentId}/show`);
  await page.locator('[data-testid=action-registerFace]').first().click();
  return { browser, page, modal: page.frameLocator('[data-testid=register-face-frame]') };
}

/**
 * Runs the modal until it reports a failure; returns its message and the center step's state. With
 * `stuckAt`, first checks what the student sees while turning: the countdown, the arrow, the Cancel button.
 */
async function failedRegistration(video: string, studentId: number, stuckAt?: 'left'): Promise<{ text: string; centerState: string | null }> {
  const { browser, modal } = await openModal(video, studentId);
  try {
    if (stuckAt) {
      await modal.getByTestId('countdown').filter({ hasText: /^\d+ s left$/ }).waitFor({ timeout: 30_000 });
      await modal.locator(`#arrow[data-side=${stuckAt}]:not([hidden])`).waitFor({ timeout: 30_000 });
      assert.ok(await modal.locator('#cancel').isVisible(), 'Cancel while the check runs');
    }
    const result = modal.locator('#result[data-outcome=failed]');
    await result.waitFor({ timeout: 40_000 });
    return { text: await result.innerText(), centerState: await modal.locator('li[data-step=center]').getAttribute('data-state') };
  } finally {
    await browser.close();
  }
}

async function newStudent(name: string, roll: string): Promise<number> {
  return (await stack.admin.ds.getRepository(Student).save({ name, rollNumber: roll, active: true, consentAt: new Date() })).id;
}

describe('Register face (browser, fake webcam)', { skip: !facesAvailable && `face fixtures missing at ${FACES_DIR}` }, () => {
  before(async () => {
    const tmp = process.env.TEST_TMP_DIR!;
    // Poses measured with the engine's estimator: center +4.4°, left −32.1°, right +29.8° (see liveness-fixtures.ts).
    videos.turning = makeVideo(path.join(tmp, 'liveness-turning.y4m'), [PERSON_A.center, PERSON_A.left, PERSON_A.right]);
    videos.still = makeVideo(path.join(tmp, 'liveness-still.y4m'), [PERSON_A.center]);
    videos.cut = makeVideo(path.join(tmp, 'liveness-cut.y4m'), [PERSON_A.center, PERSON_B.left, PERSON_A.right]);
    stack = await startLivenessStack({ LIVENESS_TIME_LIMIT_SECONDS: '15' });
  });
  after(async () => stack?.stop());

  test('the admin server issues a 300 s token scoped to one student, to staff only, and audits it', async () => {
    const id = await newStudent('Token', 'LV-000');
    const noConsent = (await stack.admin.ds.getRepository(Student).save({ name: 'No Consent', rollNumber: 'LV-00X', active: true })).id;
    const url = (sid: number) => `${stack.admin.url}/api/students/${sid}/liveness-token`;
    const as = async (user: string) => withCookie((await loginCookie(stack.admin.url, user, PASSWORD)).cookie!);
    assert.equal((await fetch(url(id), { method: 'POST' })).status, 401);
    assert.equal((await (await as('teacher'))(url(id), { method: 'POST' })).status, 403);
    const staff = await as('staff');
    assert.equal((await staff(url(noConsent), { method: 'POST' })).status, 400);
    const res = await staff(url(id), { method: 'POST' });
    assert.equal(res.status, 200);
    const body = await res.json() as { token: string; engine_url: string; expires_in: number };
    const claims = await verifyToken({ secret: stack.admin.config.JWT_SECRET, issuer: stack.admin.config.JWT_ISSUER }, body.token, 'engine');
    assert.deepEqual([claims.scope, claims.studentId, claims.username, body.engine_url], ['liveness', id, 'staff', '/engine']);
    assert.ok(claims.exp - Math.floor(Date.now() / 1000) <= 300);
    assert.equal(await stack.admin.ds.getRepository(AuditLog).countBy({ action: 'liveness.token_issued', entityId: String(id) }), 1);
  });

  test('a still photo never completes the turns, and the modal says why', async () => {
    const { text, centerState } = await failedRegistration(videos.still, await newStudent('Still Photo', 'LV-002'), 'left');
    assert.match(text, /did not see you turn left in time/);
    assert.equal(centerState, 'done');
  });

  test('a video that cuts to a different person between steps fails', async () => {
    const { text } = await failedRegistration(videos.cut, await newStudent('Cut Video', 'LV-003'));
    // Another face in the same place, or the face replaced elsewhere: either way the track is broken.
    assert.match(text, /different face appeared|was replaced/);
  });

  test('a person turning center → left → right is registered; the student shows as enrolled and is recognised', async () => {
    const id = await newStudent('Dong Xujiong', 'LV-001');
    const { browser, page } = await openModal(videos.turning, id);
    try {
      // Success closes the modal onto the student record, with a notice.
      await page.waitForURL((u) => u.pathname.endsWith(`/records/${id}/show`), { timeout: 40_000 });
      await page.getByText(/Face registered/).first().waitFor({ timeout: 10_000 });
      await page.getByText('straight, left, right').first().waitFor({ timeout: 10_000 });
    } finally {
      await browser.close();
    }
    const login = await fetch(`${stack.engineUrl}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'staff', password: PASSWORD }) });
    const { access_token } = await login.json() as { access_token: string };
    const rec = await fetch(`${stack.engineUrl}/api/v1/recognize`, { method: 'POST', headers: { authorization: `Bearer ${access_token}`, 'content-type': 'application/json' }, body: JSON.stringify({ image: b64(PERSON_A.other) }) });
    const body = await rec.json() as { faces: Array<{ match: { student_id: number } | null }> };
    assert.equal(body.faces[0].match?.student_id, id, JSON.stringify(body));
  });

  test('a face already registered to another student is refused at the first step, with no "Try again"', async () => {
    // The person of the test above, looking straight at the camera for a second account: the engine answers after
    // the straight step; before, the check went on to the turns (and this still video timed out).
    const { browser, modal } = await openModal(videos.still, await newStudent('Same Face', 'LV-004'));
    try {
      const result = modal.locator('#result[data-outcome=failed]');
      await result.waitFor({ timeout: 40_000 });
      assert.match(await result.innerText(), /already registered to another student/);
      assert.ok(await modal.locator('#retry').isHidden(), 'no "Try again": it cannot help');
      assert.equal(await modal.locator('li[data-step=left]').getAttribute('data-state'), 'todo', 'never asked to turn');
    } finally {
      await browser.close();
    }
  });

  test('after every registration attempt, no frame or face image is left on disk or in the database', async () => {
    assert.deepEqual(await imageTraces(stack.engineEnv.DATA_DIR!, stack.admin.ds), []);
  });
});
