import type { WebSocket } from 'uWebSockets.js';
import type { TopicEvents } from '@attendance/shared';

export interface SocketData { username: string; role: string; topics: Set<string> }

/** Overlay and detection events are dropped for a client whose send buffer is above this. */
const DROPPABLE_BACKLOG_BYTES = 256 * 1024;

/**
 * Fans events out to subscribed sockets. Droppable events (detections, overlays) skip a slow client;
 * attendance and status events are always queued, and a client too slow even for those is closed by
 * uWS's backpressure limit (so it reconnects and re-reads), never silently left without them.
 */
export class Publisher {
  private readonly sockets = new Set<WebSocket<SocketData>>();
  dropped = 0;

  add(ws: WebSocket<SocketData>): void { this.sockets.add(ws); }
  remove(ws: WebSocket<SocketData>): void { this.sockets.delete(ws); }
  get clients(): number { return this.sockets.size; }

  publish<T extends keyof TopicEvents>(topic: T, event: TopicEvents[T], opts: { droppable?: boolean } = {}): void {
    if (!this.sockets.size) return;
    const message = JSON.stringify({ topic, event });
    for (const ws of this.sockets) {
      const data = ws.getUserData();
      if (!matches(data.topics, topic)) continue;
      if (opts.droppable && ws.getBufferedAmount() > DROPPABLE_BACKLOG_BYTES) {
        this.dropped++;
        continue;
      }
      ws.send(message, false);
    }
  }
}

/** `camera/*` subscribes to every camera's topics; `camera/3/*` to one camera's. */
function matches(subscribed: Set<string>, topic: string): boolean {
  if (subscribed.has(topic)) return true;
  for (const s of subscribed) if (s.endsWith('/*') && topic.startsWith(s.slice(0, -1))) return true;
  return false;
}
