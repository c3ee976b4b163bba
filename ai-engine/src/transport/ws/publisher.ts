import type { WebSocket } from 'uWebSockets.js';
import type { DetectionEvent, TopicEvents } from '@attendance/shared';
import type { Principal } from '../../auth/auth.service.js';

/** What one socket may receive: every camera and student ('all'), or a teacher's own. */
export interface EventScope { cameras: Set<number> | 'all'; students: Set<number> | 'all' }

export interface SocketData { username: string; role: string; topics: Set<string>; principal: Principal; scope: EventScope; closed?: boolean }

/** Overlay and detection events are dropped for a client whose send buffer is above this. */
const DROPPABLE_BACKLOG_BYTES = 256 * 1024;

/**
 * Fans events out to subscribed sockets, each within its user's scope: a teacher gets the status and
 * detections of their rooms' cameras (faces of other classes' children unnamed) and the marks of their
 * classes' students, nothing else. Droppable events (detections, overlays) skip a slow client;
 * attendance and status events are always queued, and a client too slow even for those is closed by
 * uWS's backpressure limit (so it reconnects and re-reads), never silently left without them.
 */
export class Publisher {
  private readonly sockets = new Set<WebSocket<SocketData>>();
  dropped = 0;

  add(ws: WebSocket<SocketData>): void { this.sockets.add(ws); }
  remove(ws: WebSocket<SocketData>): void { this.sockets.delete(ws); }
  get clients(): number { return this.sockets.size; }
  /** The open sockets, for the periodic re-check of their users. */
  get all(): ReadonlyArray<WebSocket<SocketData>> { return [...this.sockets]; }

  publish<T extends keyof TopicEvents>(topic: T, event: TopicEvents[T], opts: { droppable?: boolean } = {}): void {
    if (!this.sockets.size) return;
    let whole: string | null = null;
    for (const ws of this.sockets) {
      const data = ws.getUserData();
      if (data.closed || !matches(data.topics, topic)) continue;
      const visible = scoped(data.scope, topic, event);
      if (!visible) continue;
      if (opts.droppable && ws.getBufferedAmount() > DROPPABLE_BACKLOG_BYTES) {
        this.dropped++;
        continue;
      }
      whole ??= JSON.stringify({ topic, event });
      ws.send(visible === event ? whole : JSON.stringify({ topic, event: visible }), false);
    }
  }
}

/** The event as this scope may see it (the same object when unchanged), or null when it may not. */
export function scoped(scope: EventScope, topic: string, event: unknown): unknown {
  if (scope.cameras === 'all' && scope.students === 'all') return event;
  const camera = /^camera\/(\d+)\//.exec(topic);
  if (camera) {
    if (scope.cameras !== 'all' && !scope.cameras.has(Number(camera[1]))) return null;
    if (topic.endsWith('/detections') && scope.students !== 'all') {
      const students = scope.students;
      const d = event as DetectionEvent;
      return { ...d, faces: d.faces.map((f) => (f.studentId !== null && !students.has(f.studentId) ? { ...f, studentId: null, name: null, similarity: null } : f)) };
    }
    return event;
  }
  if (topic === 'attendance') {
    const studentId = (event as TopicEvents['attendance']).studentId;
    return scope.students === 'all' || scope.students.has(studentId) ? event : null;
  }
  if (topic === 'logs') {
    const cameraId = (event as TopicEvents['logs']).cameraId;
    return cameraId !== undefined && scope.cameras !== 'all' && scope.cameras.has(cameraId) ? event : null;
  }
  return null;
}

/** `camera/*` subscribes to every camera's topics; `camera/3/*` to one camera's. */
function matches(subscribed: Set<string>, topic: string): boolean {
  if (subscribed.has(topic)) return true;
  for (const s of subscribed) if (s.endsWith('/*') && topic.startsWith(s.slice(0, -1))) return true;
  return false;
}
