import type { DataSource } from 'typeorm';
import { Redis } from 'ioredis';
import { Camera, NotFoundError, logRedisErrors, redisRequestOptions, type Logger } from '@attendance/shared';
import { CameraLimitError, type CameraManager, type CameraStatus } from './camera-manager.js';

/** Set the lease when it is free or already ours, and extend it: one script, so no other engine can slip in between. */
const CLAIM = `local v = redis.call('GET', KEYS[1])
if v == ARGV[1] or not v then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
return 0`;
/** Delete the lease only if it is still ours. */
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
/** How long a panel start or stop waits for the owning engine to act on it. */
const REMOTE_WAIT_MS = 5000;

export interface LeaseSettings { capacity: number; leaseMs: number; prefix: string; redisUrl: string; publicUrl?: string }

export interface EngineLoad { id: string; capacity: number; running: number }

/**
 * Which of the unowned cameras this engine should claim: each goes, in id order, to the live engine with
 * the lowest load (running / capacity, ties by id) that still has room. Every engine computes the same plan
 * from the same registry, so they rarely race; when they do, the lease decides.
 */
export function planClaims(unowned: number[], engines: EngineLoad[], me: string): number[] {
  const load = engines.map((e) => ({ ...e }));
  const mine: number[] = [];
  for (const camera of [...unowned].sort((a, b) => a - b)) {
    const free = load.filter((e) => e.running < e.capacity)
      .sort((a, b) => a.running / a.capacity - b.running / b.capacity || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    if (!free.length) break;
    free[0].running++;
    if (free[0].id === me) mine.push(camera);
  }
  return mine;
}

/** Cameras one engine hands over in one pass when load evens out (so a join moves cameras gradually). */
const HANDOVERS_PER_PASS = 2;

/**
 * How many of its cameras `me` hands over now so the load evens out (an engine joined, or came back): one
 * camera at a time goes from the most loaded engine to the least loaded one with room, but only while the
 * receiver then stays below the giver's load before the move (3 → 0 moves, 3 → 2 does not: a move never just
 * swaps who is ahead, so nothing flaps), at most `perEngine` from each engine. Every engine computes the same
 * moves from the same registry; the cameras handed over are then claimed through the plan like any unowned one.
 */
export function planHandovers(engines: EngineLoad[], me: string, perEngine = HANDOVERS_PER_PASS): number {
  const load = engines.map((e) => ({ ...e, gave: 0 }));
  const ratio = (e: EngineLoad) => e.running / e.capacity;
  const byId = (a: EngineLoad, b: EngineLoad) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  for (;;) {
    const from = load.filter((e) => e.gave < perEngine && e.running > 0).sort((a, b) => ratio(b) - ratio(a) || byId(a, b))[0];
    const to = load.filter((e) => e.running < e.capacity && e !== from).sort((a, b) => ratio(a) - ratio(b) || byId(a, b))[0];
    if (!from || !to || ratio(from) <= (to.running + 1) / to.capacity) break;
    from.running--;
    from.gave++;
    to.running++;
  }
  return load.find((e) => e.id === me)?.gave ?? 0;
}

/**
 * Several engines as one: each enabled camera runs on exactly one live engine, the holder of its lease in Redis.
 *
 * The desired state is `cameras.enabled` in the database (the panel's start/stop sets it, then a pub/sub nudge
 * makes every engine reconcile at once; otherwise every leaseMs/5). Each tick an engine renews the leases of the
 * cameras it runs, stops those no longer enabled, and claims its share of the enabled cameras nobody holds.
 * An engine that cannot renew for 3/4 of leaseMs stops its own cameras (fencing), before its leases expire at
 * leaseMs and another engine takes them: so a camera never runs twice, and a dead engine's cameras move within
 * about leaseMs + one tick. After a Redis restart (leases lost) the owners re-create their leases on renewal.
 * When an engine joins, the loaded ones hand it cameras (planHandovers): a few per pass, at most one pass per
 * leaseMs per engine (the registry has caught up by then), each stopped here before its lease is let go.
 */
export class CameraLeases {
  private readonly redis: Redis;
  private readonly sub: Redis;
  private timer?: NodeJS.Timeout;
  private renewTimer?: NodeJS.Timeout;
  private renewing = false;
  private fenceTimer?: NodeJS.Timeout;
  private id = '';
  private lastRenewed = Date.now();
  private ticking: Promise<number[]> | null = null;
  private again = false;
  private closed = false;
  private fenced = false;
  private renewError: string | undefined;
  private lastHandover = 0;

  constructor(private readonly db: DataSource, private readonly cameras: CameraManager, private readonly s: LeaseSettings, private readonly log: Logger) {
    // A renewal may take up to a quarter lease (a loaded machine) before it counts as failed.
    this.redis = new Redis(s.redisUrl, { ...redisRequestOptions(), commandTimeout: Math.max(2000, s.leaseMs / 4) });
    logRedisErrors(this.redis, log, 'camera leases');
    this.sub = new Redis(s.redisUrl, { maxRetriesPerRequest: null, lazyConnect: true });
    logRedisErrors(this.sub, log, 'camera nudges');
    cameras.onEnded = (id, kind) => void this.ended(id, kind);
  }

  /** Joins the cluster as `engineId` (once the server listens): reconciles now, then every leaseMs/5 and on every nudge. */
  begin(engineId: string): void {
    this.id = engineId;
    this.sub.on('message', () => void this.tick());
    // ioredis subscribes again by itself after a reconnect.
    void this.sub.connect().then(() => this.sub.subscribe(this.channel)).catch(() => undefined);
    this.timer = setInterval(() => void this.tick(), Math.max(200, this.s.leaseMs / 5));
    this.timer.unref();
    // Renewal on its own timer, one round trip: a slow pass (database, starting cameras) never delays it.
    this.renewTimer = setInterval(() => void this.renew(), Math.max(200, this.s.leaseMs / 5));
    this.renewTimer.unref();
    // Apart from the passes, which may hang on a Redis that does not answer.
    this.fenceTimer = setInterval(() => void this.fence(), 250);
    this.fenceTimer.unref();
    void this.tick();
  }

  get engineId(): string { return this.id; }
  private get channel(): string { return `${this.s.prefix}:cameras:nudge`; }
  private key(cameraId: number): string { return `${this.s.prefix}:camera-lease:${cameraId}`; }
  private engineKey(id: string): string { return `${this.s.prefix}:engine:${id}`; }

  /** The engine holding each camera's lease (null: none), for the status the panel shows. */
  async owners(ids: number[]): Promise<Map<number, string | null>> {
    const out = new Map<number, string | null>();
    if (!ids.length) return out;
    const values = await this.redis.mget(ids.map((id) => this.key(id))).catch(() => ids.map(() => null));
    ids.forEach((id, i) => out.set(id, values[i]));
    return out;
  }

  /** The panel's start: desired state on, then the engine the plan picks starts it (here or elsewhere). */
  async start(cameraId: number): Promise<CameraStatus & { engine: string | null }> {
    await this.setEnabled(cameraId, true);
    const startedHere = await this.tick();
    if (startedHere.includes(cameraId) || this.cameras.isRunning(cameraId)) return { ...(await this.stored(cameraId)), engine: this.id };
    await this.nudge();
    const owner = await this.waitOwner(cameraId, (o) => o !== null);
    if (!owner && !(await this.anyRoom())) {
      await this.setEnabled(cameraId, false);
      throw new CameraLimitError(this.s.capacity);
    }
    return { ...(await this.stored(cameraId)), engine: owner };
  }

  /** The panel's stop: desired state off; the owner (here or elsewhere) stops it and lets the lease go. */
  async stop(cameraId: number): Promise<CameraStatus & { engine: null }> {
    await this.setEnabled(cameraId, false);
    if (this.cameras.isRunning(cameraId)) {
      const status = await this.cameras.stop(cameraId);
      await this.release(cameraId);
      return { ...status, engine: null };
    }
    await this.nudge();
    await this.waitOwner(cameraId, (o) => o === null);
    return { ...(await this.stored(cameraId)), engine: null };
  }

  /** One reconcile pass (coalesced: a call during a pass runs one more after it). Returns the cameras it started. */
  tick(): Promise<number[]> {
    if (this.closed || !this.id) return Promise.resolve([]);
    if (this.ticking) { this.again = true; return this.ticking; }
    this.ticking = this.reconcile().catch((err: unknown) => { this.log.error({ err }, 'camera lease reconcile failed'); return [] as number[]; })
      .finally(() => {
        this.ticking = null;
        if (this.again) { this.again = false; void this.tick(); }
      });
    return this.ticking;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    if (this.fenceTimer) clearInterval(this.fenceTimer);
    if (this.renewTimer) clearInterval(this.renewTimer);
    await this.ticking?.catch(() => undefined);
    const mine = this.cameras.runningIds;
    await this.cameras.close();
    // Hand over at once instead of after the lease runs out.
    await Promise.all(mine.map((id) => this.release(id)));
    await this.redis.del(this.engineKey(this.id)).catch(() => undefined);
    if (mine.length) await this.nudge();
    this.sub.disconnect();
    this.redis.disconnect();
  }

  private async reconcile(): Promise<number[]> {
    if (!(await this.renew())) return [];

    const enabled = new Set((await this.db.getRepository(Camera).find({ select: { id: true }, where: { enabled: true } })).map((c) => c.id));

    for (const id of this.cameras.runningIds) {
      if (enabled.has(id)) continue;
      await this.cameras.stop(id);
      await this.release(id);
    }
    const started = await this.claim(enabled);
    await this.rebalance(enabled);
    return started;
  }

  /** Claims this engine's share (planClaims) of the enabled cameras nobody holds, and starts them. */
  private async claim(enabled: Set<number>): Promise<number[]> {
    const wanted = [...enabled].filter((id) => !this.cameras.isRunning(id));
    if (!wanted.length) return [];
    const owners = await this.owners(wanted);
    const unowned = wanted.filter((id) => owners.get(id) === null || owners.get(id) === this.id);
    if (!unowned.length) return [];
    const plan = planClaims(unowned, await this.liveEngines(), this.id);
    const started: number[] = [];
    for (const id of plan) {
      if (this.closed || this.cameras.size >= this.s.capacity) break;
      if ((await this.redis.eval(CLAIM, 1, this.key(id), this.id, this.s.leaseMs)) !== 1) continue;
      try {
        const status = await this.cameras.start(id);
        started.push(id);
        if (!this.cameras.isRunning(id)) await this.ended(id, status.state === 'failed' ? 'failed' : 'ended');
      } catch (err) {
        this.log.error({ err, cameraId: id }, 'claimed camera did not start');
        await this.release(id);
      }
    }
    return started;
  }

  /**
   * Hands cameras to a less loaded engine (planHandovers), the highest camera ids first, once every enabled camera
   * has an owner: each stops here before its lease goes, so it never runs twice; the nudge lets the receiver
   * claim it at once.
   */
  private async rebalance(enabled: Set<number>): Promise<void> {
    if (this.closed || !this.cameras.size || Date.now() - this.lastHandover < this.s.leaseMs) return;
    // Cameras still waiting for an engine fill the one with room first; moving others now would only churn.
    if ([...(await this.owners([...enabled])).values()].some((o) => o === null)) return;
    const give = planHandovers(await this.liveEngines(), this.id);
    if (!give) return;
    this.lastHandover = Date.now();
    const ids = this.cameras.runningIds.sort((a, b) => b - a).slice(0, give);
    this.log.info({ cameras: ids }, 'handing cameras over to a less loaded engine');
    for (const id of ids) {
      await this.cameras.handOver(id);
      await this.release(id);
    }
    await this.nudge();
  }

  /** Renews our leases and registry entry in one round trip; stops any camera whose lease another engine holds. */
  private async renew(): Promise<boolean> {
    if (this.renewing) return true;
    this.renewing = true;
    const sentAt = Date.now();
    const running = this.cameras.runningIds;
    let renewed: Array<[Error | null, unknown]>;
    try {
      const batch = this.redis.multi();
      for (const id of running) batch.eval(CLAIM, 1, this.key(id), this.id, this.s.leaseMs);
      batch.set(this.engineKey(this.id), JSON.stringify({ capacity: this.s.capacity, running: running.length, url: this.s.publicUrl ?? null }), 'PX', this.s.leaseMs);
      renewed = (await batch.exec()) ?? [];
      this.lastRenewed = sentAt;
      if (this.fenced) { this.fenced = false; this.log.info('redis reachable again: claiming cameras'); }
    } catch (err) {
      this.renewError = (err as Error).message;
      return false;
    } finally {
      this.renewing = false;
    }
    for (const [i, id] of running.entries()) {
      if (renewed[i]?.[1] === 1) continue;
      this.log.warn({ cameraId: id }, 'camera lease held by another engine: stopping here');
      await this.cameras.handOver(id);
    }
    return true;
  }

  /**
   * Our leases were last renewed (as sent) at lastRenewed and run out leaseMs later: at three quarters of that
   * without a renewal, stop every camera here first, so none runs on two engines once another claims it.
   */
  private async fence(): Promise<void> {
    if (this.closed || Date.now() - this.lastRenewed <= this.s.leaseMs * 0.75 || !this.cameras.size) return;
    this.fenced = true;
    this.log.warn({ err: this.renewError, cameras: this.cameras.runningIds }, 'cannot renew camera leases: stopping this engine\'s cameras');
    await Promise.all(this.cameras.runningIds.map((id) => this.cameras.handOver(id)));
  }

  /** Live engines from their registry entries (each expires with leaseMs), this one with its current load. */
  private async liveEngines(): Promise<EngineLoad[]> {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, found] = await this.redis.scan(cursor, 'MATCH', this.engineKey('*'), 'COUNT', 200);
      cursor = next;
      keys.push(...found);
    } while (cursor !== '0');
    const values = keys.length ? await this.redis.mget(keys) : [];
    const engines: EngineLoad[] = [];
    keys.forEach((k, i) => {
      const id = k.slice(this.engineKey('').length);
      if (id === this.id || !values[i]) return;
      const v = JSON.parse(values[i]!) as { capacity: number; running: number };
      engines.push({ id, capacity: v.capacity, running: v.running });
    });
    engines.push({ id: this.id, capacity: this.s.capacity, running: this.cameras.size });
    return engines;
  }

  private async anyRoom(): Promise<boolean> {
    return (await this.liveEngines().catch(() => [])).some((e) => e.running < e.capacity);
  }

  /** A loop that ended by itself (file finished, fatal error) stays off: desired state follows, and the lease goes. */
  private async ended(cameraId: number, kind: 'requested' | 'ended' | 'failed' | 'handover'): Promise<void> {
    if (kind === 'requested' || kind === 'handover') return;
    await this.setEnabled(cameraId, false).catch((err: unknown) => this.log.error({ err, cameraId }, 'storing a stopped camera failed'));
    await this.release(cameraId);
  }

  private async release(cameraId: number): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.key(cameraId), this.id).catch((err: unknown) => this.log.warn({ err: (err as Error).message, cameraId }, 'camera lease not released; it expires by itself'));
  }

  private async nudge(): Promise<void> {
    await this.redis.publish(this.channel, '1').catch(() => undefined);
  }

  private async setEnabled(cameraId: number, enabled: boolean): Promise<void> {
    const result = await this.db.getRepository(Camera).update(cameraId, { enabled });
    if (result.affected === 0) throw new NotFoundError(`no camera ${cameraId}`);
  }

  private async stored(cameraId: number): Promise<CameraStatus> {
    const [status] = await this.cameras.status(new Set([cameraId]));
    return status;
  }

  private async waitOwner(cameraId: number, done: (owner: string | null) => boolean): Promise<string | null> {
    const deadline = Date.now() + REMOTE_WAIT_MS;
    for (;;) {
      const owner = (await this.owners([cameraId])).get(cameraId) ?? null;
      if (done(owner) || Date.now() > deadline) return owner;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
