// The shared session store against a real Redis (npm test starts one and gives REDIS_URL).
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { ConflictError, TemplateCipher } from '@attendance/shared';
import { LivenessStore, SessionStoreUnavailableError, type StoredSession } from './liveness-store.js';

const url = process.env.REDIS_URL;
if (!url) console.warn('\n!!! REDIS_URL not set: the liveness store test is skipped (run it through npm test)\n');

const embedding = Float32Array.from({ length: 128 }, (_, i) => Math.sin(i + 1));
const session = (): StoredSession => ({
  studentId: 7, registered: false,
  state: { status: 'pending', failure: null, done: [{ step: 'center', embedding, quality: 0.9 }], last: { box: [1, 2, 3, 4], embedding, at: 5 }, frames: 1, spoofFrames: 0, expiresAt: Date.now() + 60_000 },
});

describe('liveness sessions in Redis', { skip: !url && 'REDIS_URL not set' }, () => {
  let redis: Redis;
  let store: LivenessStore;
  const prefix = `lstore${process.pid}`;
  before(() => {
    redis = new Redis(url!, { maxRetriesPerRequest: 1 });
    store = new LivenessStore(redis, prefix, new TemplateCipher(crypto.randomBytes(32), 'k1'));
  });
  after(() => redis.disconnect());

  it('round-trips a session, its embeddings encrypted in Redis, with a TTL', async () => {
    const id = crypto.randomUUID();
    await store.create(id, session());
    const back = await store.peek(id);
    assert.deepEqual([back?.studentId, back?.registered, back?.state.status, back?.state.frames, back?.state.last?.box], [7, false, 'pending', 1, [1, 2, 3, 4]]);
    assert.deepEqual([...back!.state.done[0].embedding], [...embedding]);
    assert.deepEqual([...back!.state.last!.embedding], [...embedding]);
    const raw = (await redis.get(`${prefix}:liveness:${id}`))!;
    assert.ok(!raw.includes(Buffer.from(embedding.buffer).toString('base64').slice(0, 40)), 'no plain embedding in Redis');
    assert.ok((await redis.pttl(`${prefix}:liveness:${id}`)) > 60_000);
    // Bound to its session: the same bytes under another session id do not decrypt.
    const other = crypto.randomUUID();
    await redis.set(`${prefix}:liveness:${other}`, raw);
    await assert.rejects(store.peek(other));
  });

  it('one request at a time holds a session; a write after the session ended is refused', async () => {
    const id = crypto.randomUUID();
    await store.create(id, session());
    const held = (await store.take(id, 'busy'))!;
    await assert.rejects(store.take(id, 'busy'), ConflictError);
    held.state.frames = 2;
    assert.equal(await store.save(held), true);
    await store.release(held);
    const again = (await store.take(id, 'busy'))!;
    assert.equal(again.state.frames, 2);
    await store.remove(id);
    assert.equal(await store.save(again), false, 'ended meanwhile: not written back');
    assert.equal(await store.peek(id), null);
    assert.equal(await store.take(crypto.randomUUID(), 'busy'), null);
  });

  it('Redis down is a 503, not a crash', async () => {
    const dead = new Redis('redis://127.0.0.1:1', { maxRetriesPerRequest: 0, lazyConnect: true, retryStrategy: () => null });
    dead.on('error', () => undefined);
    const down = new LivenessStore(dead, prefix, new TemplateCipher(crypto.randomBytes(32), 'k1'));
    await assert.rejects(down.peek(crypto.randomUUID()), (e: unknown) => e instanceof SessionStoreUnavailableError && e.status === 503);
    dead.disconnect();
  });
});
