import type { AttendanceSource, AttendanceStatus } from './entities/attendance-log.entity.js';
import type { CameraState } from './entities/camera.entity.js';

/** WebSocket topics the engine publishes, and the event each carries. */
export interface CameraStatusEvent { cameraId: number; state: CameraState; detail?: string; at: string }
export interface DetectionEvent {
  cameraId: number;
  at: string;
  faces: Array<{ box: [number, number, number, number]; studentId: number | null; name: string | null; similarity: number | null; real: number | null }>;
}
export interface AttendanceEvent {
  id: number; studentId: number; studentName: string; status: AttendanceStatus; source: AttendanceSource;
  cameraId: number | null; classSessionId: number | null; confidence: number | null; markedAt: string;
}
export interface LogEvent { level: 'info' | 'warn' | 'error'; message: string; cameraId?: number; at: string }

export interface TopicEvents {
  [topic: `camera/${number}/status`]: CameraStatusEvent;
  [topic: `camera/${number}/detections`]: DetectionEvent;
  attendance: AttendanceEvent;
  logs: LogEvent;
}

export const topics = {
  cameraStatus: (id: number) => `camera/${id}/status` as const,
  cameraDetections: (id: number) => `camera/${id}/detections` as const,
  attendance: 'attendance' as const,
  logs: 'logs' as const,
};

/** The envelope of every message sent on the WebSocket. */
export interface WsMessage<T extends keyof TopicEvents = keyof TopicEvents> { topic: T; event: TopicEvents[T] }
