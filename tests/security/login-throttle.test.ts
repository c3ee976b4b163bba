// Login throttling on the admin server's two login paths (the panel's form and /api/v1/auth/token):
// atomic consume-before-verify, per user on every path, no cross-user resets, proxy-aware addresses,
// and no way for one person behind a school's NAT to lock everyone else out.
import '../helpers/admin-env.js';
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { AuditLog } from '@attendance/shared';
import { startAdminApp, type AdminUnderTest } from '../helpers/admin-app.js';
import { PASSWORD, seedFixture } from '../helpers/admin-fixtures.js';

let app: AdminUnderTest;

before(async () => {
  app = await startAdminApp('sec-login');
  await seedFixture(app.ds);
});
after(() => app?.stop());
beforeEach(async () => {
  const keys = await app.redis.keys(`test-sec-login-${process.pid}:login:*`);
  if (keys.length) await app.redis.del(...keys);
});

/** The panel's login form, from `from` (sent as X-Forwarded-For: the test client is a trusted loopback proxy). */
async function formLogin(username: string, password: string, from = '198.51.100.7'): Promise<number> {
  const res = await fetch(`${app.url}/admin/login`, {
    method: 'POST', body: new URLSearchParams({ email: username, password }), redirect: 'manual',
    headers: { 'x-forwarded-for': from }, signal: AbortSignal.timeout(60_000),
  });
  await res.arrayBuffer();
  return res.status; // 302 = logged in, 200 = refused (form again), 429 = throttled
}

async function tokenLogin(username: string, password: string, from = '198.51.100.7'): Promise<number> {
  const res = await fetch(`${app.url}/api/v1/auth/token`, {
    method: 'POST', body: JSON.stringify({ username, password }), headers: { 'content-type': 'application/json', 'x-forwarded-for': from },
  });
  await res.arrayBuffer();
  return res.status;
}

const failures = (username: string) => app.ds.getRepository(AuditLog).createQueryBuilder('a')
  .where('a.action = :a', { a: 'auth.login_failed' }).andWhere('a.details LIKE :u', { u: `%"username":"${username}"%` }).getCount();

describe('admin login throttling', () => {
  test('40 parallel wrong passwords: only the limit (5) reach the password check, the rest are 429', async () => {
    const before = await failures('staff');
    const statuses = await Promise.all(Array.from({ length: 40 }, () => formLogin('staff', 'wrong-password', '198.51.100.40')));
    assert.equal(statuses.filter((s) => s === 429).length, 35, statuses.join(','));
    assert.equal(await failures('staff') - before, 5);
  });

  test('another user\'s successful login does not reset the count on the guessed account', async () => {
    for (let i = 0; i < 4; i++) assert.equal(await formLogin('admin', 'wrong-password'), 200);
    assert.equal(await formLogin('teacher', PASSWORD), 302, 'a teacher logs in from the same address');
    assert.equal(await formLogin('admin', 'wrong-password'), 200, 'fifth guess still checked');
    assert.equal(await formLogin('admin', 'wrong-password'), 429, 'sixth refused: the teacher\'s login reset nothing');
  });

  test('the SIS token path shares the per-user limit with the form', async () => {
    for (let i = 0; i < 5; i++) await formLogin('admin', 'wrong-password', '198.51.100.9');
    assert.equal(await tokenLogin('admin', PASSWORD, '198.51.100.9'), 429);
    for (let i = 0; i < 5; i++) assert.equal(await tokenLogin('staff', 'wrong-password', '198.51.100.10'), 401);
    assert.equal(await formLogin('staff', PASSWORD, '198.51.100.10'), 429, 'guessed through the API, paused on the form too');
  });

  test('one person behind the school\'s NAT cannot lock everyone else out', async () => {
    const nat = '203.0.113.5';
    assert.equal(await formLogin('teacher', PASSWORD, nat), 302, 'the teacher has logged in from school before');
    // A spray: many names, wrong passwords, from the school's one address, until the address limit trips.
    const statuses: number[] = [];
    for (let i = 0; i < 110; i++) statuses.push(await formLogin(`pupil${i % 30}`, 'guess', nat));
    assert.ok(statuses.includes(429), 'the spray is throttled');
    assert.equal(await formLogin('teacher', PASSWORD, nat), 302, 'a known user still logs in at school');
    assert.equal(await formLogin('admin', PASSWORD, nat), 429, 'an account never seen at this address waits out the spray');
    assert.equal(await formLogin('admin', PASSWORD, '192.0.2.1'), 302, 'and is not locked out anywhere else');
  });

  test('addresses behind a trusted proxy are told apart by X-Forwarded-For', async () => {
    for (let i = 0; i < 5; i++) await formLogin('staff', 'wrong-password', '10.9.0.1');
    assert.equal(await formLogin('staff', PASSWORD, '10.9.0.1'), 429);
    assert.equal(await formLogin('staff', PASSWORD, '10.9.0.2'), 302, 'the same account from another client behind the proxy');
  });
});
