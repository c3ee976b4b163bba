import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { test } from 'node:test';
import { UnauthorizedError } from '../errors.js';
import { signToken, verifyToken } from './jwt.js';

const s = { secret: 'a-test-secret-that-is-long-enough-1234', issuer: 'face-attendance' };
const claims = { sub: '1', username: 'admin', role: 'admin' as const };
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

/** Builds a token by hand, to forge what a library would refuse to make. */
function forge(header: object, payload: object, alg: 'sha256' | 'sha512' | null): string {
  const body = `${b64(header)}.${b64(payload)}`;
  const sig = alg ? crypto.createHmac(alg, s.secret).update(body).digest('base64url') : '';
  return `${body}.${sig}`;
}

async function rejected(token: string, audience: 'engine' | 'admin-api', why: RegExp) {
  await assert.rejects(verifyToken(s, token, audience), (err: unknown) => err instanceof UnauthorizedError && why.test(err.message));
}

test('a token signed for the engine verifies for the engine', async () => {
  const token = await signToken(s, claims, 'engine', 60);
  const got = await verifyToken(s, token, 'engine');
  assert.equal(got.username, 'admin');
  assert.equal(got.role, 'admin');
});

test('alg none is refused even with valid claims', async () => {
  const payload = { ...claims, iss: s.issuer, aud: 'engine', exp: now() + 60 };
  await rejected(forge({ alg: 'none', typ: 'JWT' }, payload, null), 'engine', /algorithm|invalid/);
});

test('an algorithm outside the allow-list is refused, even signed with the right secret', async () => {
  const payload = { ...claims, iss: s.issuer, aud: 'engine', exp: now() + 60 };
  await rejected(forge({ alg: 'HS512', typ: 'JWT' }, payload, 'sha512'), 'engine', /algorithm/);
  // The same payload with HS256 passes: the test above fails for the algorithm alone.
  assert.ok(await verifyToken(s, forge({ alg: 'HS256', typ: 'JWT' }, payload, 'sha256'), 'engine'));
});

test('a wrong audience, a wrong issuer and an expired token are refused', async () => {
  await rejected(await signToken(s, claims, 'admin-api', 60), 'engine', /aud/);
  await rejected(await signToken({ ...s, issuer: 'someone-else' }, claims, 'engine', 60), 'engine', /iss/);
  await rejected(forge({ alg: 'HS256' }, { ...claims, iss: s.issuer, aud: 'engine', exp: now() - 120 }, 'sha256'), 'engine', /expired/);
  await rejected(forge({ alg: 'HS256' }, { ...claims, iss: s.issuer, aud: 'engine' }, 'sha256'), 'engine', /exp/);
});

test('a tampered payload or another secret is refused', async () => {
  const token = await signToken(s, claims, 'engine', 60);
  const [h, , sig] = token.split('.');
  await rejected(`${h}.${b64({ ...claims, role: 'admin', username: 'mallory', iss: s.issuer, aud: 'engine', exp: now() + 60 })}.${sig}`, 'engine', /invalid/);
  await assert.rejects(verifyToken({ ...s, secret: 'another-secret-that-is-long-enough-xx' }, token, 'engine'), UnauthorizedError);
});

test('an HS256 token made with the secret as UTF-8 bytes verifies (tokens issued before the cached key), another secret does not', async () => {
  const payload = { ...claims, iss: s.issuer, aud: 'engine', iat: now(), exp: now() + 60 };
  const token = forge({ alg: 'HS256', typ: 'JWT' }, payload, 'sha256');
  assert.equal((await verifyToken(s, token, 'engine')).username, 'admin');
  await assert.rejects(verifyToken({ ...s, secret: `${s.secret}x` }, token, 'engine'), /invalid token/);
  // Both secrets are now cached: the first still verifies.
  assert.equal((await verifyToken(s, token, 'engine')).sub, '1');
});
