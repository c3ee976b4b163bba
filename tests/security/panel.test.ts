// The panel's cookie routes: cross-site writes refused (CSRF), no third-party font request, and device/SIS
// API keys created with a scope (panel and CLI), shown once, and revoked.
import '../helpers/admin-env.js';
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ApiKey, AuditLog, hashApiKey } from '@attendance/shared';
import { startAdminApp, type AdminUnderTest } from '../helpers/admin-app.js';
import { PASSWORD, seedFixture, type Fixture } from '../helpers/admin-fixtures.js';
import { loginCookie, withCookie } from '../helpers/admin-http.js';
import { run } from '../helpers/spawn.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
let app: AdminUnderTest;
let fx: Fixture;
let cookie = '';

before(async () => {
  app = await startAdminApp('sec-panel');
  fx = await seedFixture(app.ds);
  cookie = (await loginCookie(app.url, 'admin', PASSWORD)).cookie!;
});
after(() => app?.stop());

const asAdmin = () => withCookie(cookie);
const post = (p: string, headers: Record<string, string>, body?: unknown) => asAdmin()(app.url + p, {
  method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: body === undefined ? undefined : JSON.stringify(body),
});

describe('CSRF', () => {
  test('a cross-site write with the session cookie is refused, on the JSON routes, AdminJS and the login form', async () => {
    const evil = { origin: 'https://evil.example' };
    for (const [p, body] of [['/api/api-keys', { name: 'x', scope: 'sis' }], ['/api/me/password', { current: PASSWORD, next: 'a-new-long-password' }]] as const) {
      const res = await post(p, evil, body);
      assert.equal(res.status, 403, p);
      assert.match(((await res.json()) as { message: string }).message, /cross-site/);
    }
    const del = await asAdmin()(`${app.url}/admin/api/resources/Student/records/${fx.students[2].id}/delete`, { method: 'POST', headers: { 'sec-fetch-site': 'cross-site' } });
    assert.equal(del.status, 403, 'AdminJS delete from another site');
    const login = await fetch(`${app.url}/admin/login`, { method: 'POST', body: new URLSearchParams({ email: 'admin', password: PASSWORD }), headers: { origin: 'https://evil.example' }, redirect: 'manual' });
    assert.equal(login.status, 403, 'login CSRF');
    assert.equal(await app.ds.getRepository(ApiKey).countBy({ name: 'x' }), 0);
    // The same write from the panel's own origin goes through.
    const ok = await post('/api/api-keys', { origin: app.url, 'sec-fetch-site': 'same-origin' }, { name: 'same-site', scope: 'sis' });
    assert.equal(ok.status, 201);
  });
});

describe('fonts', () => {
  test('the login page and the panel link no third-party font; Roboto is served locally', async () => {
    const pages = [await (await fetch(`${app.url}/admin/login`)).text(), await (await asAdmin()(`${app.url}/admin`)).text()];
    for (const html of pages) {
      assert.ok(!/fonts\.(googleapis|gstatic)\.com/.test(html), 'no Google Fonts link');
      assert.match(html, /href="\/fonts\/roboto\.css"/);
    }
    const css = await (await fetch(`${app.url}/fonts/roboto.css`)).text();
    const woff2 = /url\((\/fonts\/[^)]+\.woff2)\)/.exec(css)![1];
    const font = await fetch(app.url + woff2);
    assert.equal(font.status, 200);
    assert.ok((await font.arrayBuffer()).byteLength > 5000);
  });
});

describe('API keys', () => {
  test('the panel creates a device key bound to a camera, shows it once, and revokes it', async () => {
    const same = { origin: app.url };
    assert.equal((await post('/api/api-keys', same, { name: 'door', scope: 'device' })).status, 400, 'a device key needs a camera');
    assert.equal((await post('/api/api-keys', same, { name: 'door', scope: 'device', camera_id: 99999 })).status, 404);
    assert.equal((await post('/api/api-keys', same, { name: 'door', scope: 'root' })).status, 400);
    const res = await post('/api/api-keys', same, { name: 'door', scope: 'device', camera_id: fx.cameras.a.id });
    assert.equal(res.status, 201);
    const created = await res.json() as { id: number; key: string; scope: string; camera_id: number; may_call: string[] };
    assert.equal(created.scope, 'device');
    assert.equal(created.camera_id, fx.cameras.a.id);
    const row = await app.ds.getRepository(ApiKey).findOneByOrFail({ id: created.id });
    assert.equal(row.keyHash, hashApiKey(created.key), 'only the hash is stored');
    const shown = await (await asAdmin()(`${app.url}/admin/api/resources/ApiKey/records/${created.id}/show`)).text();
    assert.ok(!shown.includes(created.key) && !shown.includes(row.keyHash), 'never shown again');
    // A device key cannot read the SIS API.
    assert.equal((await fetch(`${app.url}/api/v1/students`, { headers: { 'x-api-key': created.key } })).status, 401);
    const teacher = (await loginCookie(app.url, 'teacher', PASSWORD)).cookie!;
    assert.equal((await withCookie(teacher)(`${app.url}/api/api-keys/${created.id}/revoke`, { method: 'POST', headers: same })).status, 403);
    assert.equal((await post(`/api/api-keys/${created.id}/revoke`, same)).status, 200);
    assert.equal((await app.ds.getRepository(ApiKey).findOneByOrFail({ id: created.id })).active, false);
    assert.equal(await app.ds.getRepository(AuditLog).countBy({ action: 'apikey.revoked', entityId: String(created.id) }), 1);
  });

  test('npm run api-key creates, lists and revokes keys', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, SQLITE_FILE: app.config.SQLITE_FILE };
    delete env.DATABASE_URL;
    const cli = async (...args: string[]) => {
      const p = run(path.join(ROOT, 'node_modules/.bin/tsx'), [path.join(ROOT, 'scripts/api-key.ts'), ...args], { cwd: ROOT, env });
      return { code: await p.exited, out: p.output() };
    };
    const made = await cli('create', '--name', 'SIS export', '--scope', 'sis');
    assert.equal(made.code, 0, made.out);
    const key = /^(fa_\S+)$/m.exec(made.out)![1];
    assert.equal((await fetch(`${app.url}/api/v1/students`, { headers: { 'x-api-key': key } })).status, 200);
    const id = (await app.ds.getRepository(ApiKey).findOneByOrFail({ keyHash: hashApiKey(key) })).id;
    assert.match((await cli('list')).out, new RegExp(`^${id}\\t.*sis.*active.*SIS export`, 'm'));
    assert.equal((await cli('revoke', String(id))).code, 0);
    assert.equal((await fetch(`${app.url}/api/v1/students`, { headers: { 'x-api-key': key } })).status, 401, 'revoked at once');
    assert.notEqual((await cli('create', '--name', 'tablet', '--scope', 'device')).code, 0, 'a device key needs --camera');
  });
});
