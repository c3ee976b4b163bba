import { Redis } from 'ioredis';
import { logRedisErrors, type Logger } from '@attendance/shared';
import type { CameraManager } from './camera-manager.js';
import type { LaptopSession } from './laptop-session.js';

/** What any engine needs to take a session over or stop it. */
export interface LaptopTicket { cameraId: number | null; username: string; engine: string }

type Message = { type: 'moved'; id: string; to: string } | { type: 'stop'; id: string };

/** A ticket outlives any lesson; it is deleted when its session ends. */
const TICKET_MS = 24 * 3600_000;

/**
 * Laptop-camera sessions across engines. The start request and the teacher's WebSocket may reach different
 * engines (no sticky routing): the engine that starts a session leaves a ticket in Redis
 * (`<prefix>:laptop:<id>`: camera, teacher, engine), and an engine reached by a socket for a session it does
 * not run takes it over from the ticket (same id, camera and teacher; its own limits apply) and tells the
 * others, which drop their copy (no socket reached it, so it holds nothing). The socket then keeps the session
 * on that engine for its life; a stop sent to any engine reaches the one running it.
 */
export class LaptopDirectory {
  private readonly sub: Redis;
  private id = '';

  constructor(private readonly redis: Redis, redisUrl: string, private readonly prefix: string, private readonly cameras: CameraManager, private readonly log: Logger) {
    this.sub = new Redis(redisUrl, { maxRetriesPerRequest: null, lazyConnect: true });
    logRedisErrors(this.sub, log, 'laptop sessions');
    cameras.onLaptopEnded = (id) => void this.redis.del(this.key(id)).catch((err: unknown) => log.warn({ err: (err as Error).message, laptopSession: id }, 'laptop ticket not deleted; it expires by itself'));
  }

  get engineId(): string { return this.id; }
  private key(id: string): string { return `${this.prefix}:laptop:${id}`; }
  private get channel(): string { return `${this.prefix}:laptop:events`; }

  /** Listens for take-overs and stops from the other engines. */
  begin(engineId: string): void {
    this.id = engineId;
    this.sub.on('message', (_channel, raw: string) => void this.onMessage(JSON.parse(raw) as Message));
    void this.sub.connect().then(() => this.sub.subscribe(this.channel)).catch(() => undefined);
  }

  /** A session just started here: any engine may now take it over. */
  async issue(s: LaptopSession): Promise<void> {
    await this.write(s.id, { cameraId: s.cameraId, username: s.username, engine: this.engineId })
      .catch((err: unknown) => this.log.warn({ err: (err as Error).message, laptopSession: s.id }, 'no laptop ticket (Redis): the session works on this engine only'));
  }

  /** The session's ticket; none (or Redis unreachable: no session elsewhere can be found): null. */
  async ticket(id: string): Promise<LaptopTicket | null> {
    const raw = await this.redis.get(this.key(id)).catch((err: unknown) => {
      this.log.warn({ err: (err as Error).message, laptopSession: id }, 'laptop tickets unreachable (Redis)');
      return null;
    });
    return raw === null ? null : JSON.parse(raw) as LaptopTicket;
  }

  /** The session here, taken over from its ticket if another engine started it; undefined: no such session. */
  async adopt(id: string): Promise<LaptopSession | undefined> {
    const here = this.cameras.laptop(id);
    if (here) return here;
    const t = await this.ticket(id);
    if (!t) return undefined;
    const session = this.cameras.startLaptop(t.cameraId, t.username, id);
    await this.write(id, { ...t, engine: this.engineId });
    await this.publish({ type: 'moved', id, to: this.engineId });
    this.log.info({ laptopSession: id, from: t.engine }, 'laptop-camera session taken over');
    return session;
  }

  /** Stops a session another engine runs (its engine ends it; the ticket goes with it). */
  async stopElsewhere(id: string): Promise<LaptopTicket | null> {
    const t = await this.ticket(id);
    if (!t) return null;
    this.cameras.dropLaptop(id); // a copy here no socket reached
    await this.publish({ type: 'stop', id });
    return t;
  }

  close(): void { this.sub.disconnect(); }

  private async onMessage(m: Message): Promise<void> {
    if (m.type === 'moved' && m.to !== this.engineId) this.cameras.dropLaptop(m.id);
    else if (m.type === 'stop' && this.cameras.laptop(m.id)) {
      await this.cameras.stopLaptop(m.id).catch((err: unknown) => this.log.error({ err, laptopSession: m.id }, 'stopping a laptop-camera session failed'));
    }
  }

  private async write(id: string, t: LaptopTicket): Promise<void> {
    await this.redis.set(this.key(id), JSON.stringify(t), 'PX', TICKET_MS);
  }

  private async publish(m: Message): Promise<void> {
    await this.redis.publish(this.channel, JSON.stringify(m));
  }
}
