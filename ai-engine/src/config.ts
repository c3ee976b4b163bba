import os from 'node:os';
import { z } from 'zod';
import { ConfigError, loadConfig, type Config } from '@attendance/shared';

/**
 * The engine's own settings, validated with the shared ones at start-up. Each says what it trades off;
 * the README's configuration table repeats them.
 */
const schema = z.object({
  /** ONNX Runtime intra-op threads per model. 1 was fastest for these small models on 2 cores. */
  VISION_THREADS: z.coerce.number().int().min(1).max(64).default(1),
  /**
   * Inference worker threads: the models run there, off the server thread, one run per worker at a time.
   * Default: one per core (2 on the reference machine). 0 runs them on the server thread (debugging only).
   */
  VISION_WORKERS: z.coerce.number().int().min(0).max(64).default(Math.min(8, os.availableParallelism())),
  /**
   * Images from requests (recognize, enrol, liveness) that may wait for an analysis slot; beyond this the
   * engine answers 503 with Retry-After instead of holding more decoded images in memory.
   */
  VISION_MAX_QUEUED: z.coerce.number().int().min(0).max(10_000).default(32),
  /** Detector confidence below which a candidate face is dropped: lower finds more faces and more false ones. */
  DETECTOR_SCORE_THRESHOLD: z.coerce.number().gt(0).lt(1).default(0.6),
  /**
   * Longer side the frame is scaled to before detection. 320 is ~3 ms faster per frame and as accurate for
   * close-up webcam frames; keep 640 (or more) for classroom cameras, where faces are small.
   */
  DETECTOR_MAX_SIDE: z.coerce.number().int().min(64).max(4096).default(640),
  /** Faces smaller than this (px) are ignored: smaller reaches the back row, but embeds poorly. */
  MIN_FACE_SIZE: z.coerce.number().int().min(0).default(20),
  /**
   * Images with more pixels than this are refused before decoding (memory guard: a decoded image takes
   * 3 bytes per pixel). Default 24 MP (6000×4000), above what phones and cameras save by default.
   */
  MAX_IMAGE_PIXELS: z.coerce.number().int().min(10_000).default(24_000_000),
  /** Largest request body accepted (bytes); photos are sent as JPEG/PNG, several per enrolment. */
  MAX_BODY_BYTES: z.coerce.number().int().min(1024).default(20 * 1024 * 1024),
  /**
   * Target false-positive identification rate: the share of faces of people NOT enrolled (visitors, parents,
   * students without consent) that may be named as some student, per searched face. The threshold is derived
   * from it for the set searched (whole school, or a class roster: fewer comparisons, lower threshold).
   * Lower names fewer strangers and leaves more enrolled students unknown (README, identification accuracy:
   * on LFW, 0.003 named 0.19% of strangers and missed 2.1% of enrolled people; 0.001 missed 4.7%).
   */
  MATCH_TARGET_FPIR: z.coerce.number().gt(0).lt(0.5).default(0.003),
  /** A fixed cosine threshold instead of the calibrated one: only to reproduce old behaviour or experiment. */
  MATCH_THRESHOLD: z.coerce.number().min(-1).max(1).optional(),
  /** How far the best student must lead the runner-up (0 = off). Off: on LFW a margin of 0.03–0.05 changed no decision at the calibrated threshold. */
  MATCH_MARGIN: z.coerce.number().min(0).max(2).default(0),
  /**
   * How a student's score is formed from its templates: max (best one), mean2 (mean of the best two), centroid.
   * mean2: on LFW it missed the fewest enrolled people at the same FPIR, and its calibration was the truest (README).
   */
  MATCH_STUDENT_SCORE: z.enum(['max', 'mean2', 'centroid']).default('mean2'),
  /** P(real) from anti-spoofing below which a face is treated as a photo/screen and never marks anyone. */
  ANTISPOOF_THRESHOLD: z.coerce.number().min(0).max(1).default(0.5),
  /** Failed logins allowed per username in LOGIN_WINDOW_SECONDS before 429 (five times as many per IP address). */
  LOGIN_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(10),
  LOGIN_WINDOW_SECONDS: z.coerce.number().int().min(1).default(15 * 60),
  /** Analyse every Nth frame pulled from a camera: higher saves CPU for more cameras, but names people later. */
  CAMERA_INFER_EVERY: z.coerce.number().int().min(1).max(100).default(1),
  /** Usable frames a track fuses (quality-weighted mean of their embeddings) before it may be named: more is steadier and marks later. */
  CAMERA_VOTES: z.coerce.number().int().min(1).max(30).default(3),
  /** Cameras running at once (RTSP/USB/file plus laptop sessions): each one costs a capture thread and inference time. */
  CAMERA_MAX_CONCURRENT: z.coerce.number().int().min(1).max(256).default(8),
  /** Laptop-camera sessions at once, counted apart from CAMERA_MAX_CONCURRENT so teachers' laptops never starve classroom cameras. */
  LAPTOP_MAX_SESSIONS: z.coerce.number().int().min(1).max(256).default(8),
  /** Laptop-camera sessions one user may hold at once (a new start beyond it is a 429). */
  LAPTOP_MAX_PER_USER: z.coerce.number().int().min(1).max(32).default(2),
  /** Seconds without a frame (or without a socket, after start) before a laptop-camera session ends by itself. */
  LAPTOP_IDLE_SECONDS: z.coerce.number().min(1).max(3600).default(60),
  /** Seconds between re-checks of a long-lived connection's user (still active, same role) and of HTTP tokens' users. */
  AUTH_RECHECK_SECONDS: z.coerce.number().min(1).max(3600).default(30),
  /** Seconds without a new frame or finished analysis before the watchdog restarts a camera loop: lower recovers faster, but may restart a slow stream. */
  CAMERA_WATCHDOG_SECONDS: z.coerce.number().min(1).max(600).default(15),
  /** Seconds to wait for a source to deliver its first frame (RTSP open is ~1 s on a LAN). */
  CAMERA_OPEN_TIMEOUT_SECONDS: z.coerce.number().min(1).max(300).default(20),
  /** Seconds between detection_logs rows per camera: shorter gives finer statistics and more rows. */
  CAMERA_LOG_INTERVAL_SECONDS: z.coerce.number().min(1).max(3600).default(60),
  /**
   * Several engines: a camera runs on the engine holding its lease in Redis. An engine that cannot renew for
   * 3/4 of this stops its cameras; a dead engine's cameras move to another within about this plus a fifth of it.
   */
  CAMERA_LEASE_SECONDS: z.coerce.number().min(1).max(300).default(10),
  /** This engine's name in leases and the panel (default host:port); unique per engine. */
  ENGINE_ID: z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/).optional(),
  /** Seconds after a student's mark during which no other mark is written (0 = off): guards against flapping sessions. */
  ATTENDANCE_COOLDOWN_SECONDS: z.coerce.number().int().min(0).default(0),
  /** Most marks per student per day (0 = no cap beyond one per day/session). */
  ATTENDANCE_MAX_MARKS_PER_DAY: z.coerce.number().int().min(0).default(0),
  /** Preview (MJPEG) frames per second per camera: higher is smoother and costs JPEG encoding and bandwidth. */
  MJPEG_FPS: z.coerce.number().min(0.5).max(30).default(5),
  /** Preview viewers per camera; more are refused with 503 (each costs bandwidth, and it is biometric video). */
  MJPEG_MAX_VIEWERS: z.coerce.number().int().min(1).max(100).default(4),
  /** Seconds a liveness registration may take from start to the last turn: longer is kinder to slow students, and gives a replay attack more time. */
  LIVENESS_TIME_LIMIT_SECONDS: z.coerce.number().int().min(5).max(600).default(60),
  /** |yaw| (degrees) up to which a face counts as looking straight: smaller demands a truer frontal template, and frustrates more students. */
  LIVENESS_CENTER_MAX_YAW: z.coerce.number().min(1).max(15).default(5),
  /** Yaw (degrees) past which a head turn counts: larger is harder to fake with a tilted photo, and harder to do (quality refuses beyond 40°). */
  LIVENESS_TURN_MIN_YAW: z.coerce.number().min(5).max(35).default(15),
  /** Cosine every step's embedding must reach with the earlier steps': higher catches a swapped person sooner, and fails more honest sessions (one person across ±30° measured 0.73–0.87; different people about 0). */
  LIVENESS_SAME_PERSON_THRESHOLD: z.coerce.number().min(-1).max(1).default(0.5),
  /** Cosine between consecutive analysed frames' faces: higher catches a cut to another face sooner, and breaks on fast turns at a low frame rate. */
  LIVENESS_TRACK_MIN_SIMILARITY: z.coerce.number().min(-1).max(1).default(0.5),
  /** Box overlap (IoU) between consecutive analysed frames: higher catches a cut to another photo sooner, and breaks when the student moves fast. */
  LIVENESS_TRACK_MIN_IOU: z.coerce.number().min(0).max(1).default(0.3),
  /** Seconds without a usable face before the track (and the session) is lost: longer forgives looking away, and leaves room to swap the face. */
  LIVENESS_TRACK_MAX_GAP_SECONDS: z.coerce.number().min(0.5).max(30).default(3),
  /** Frames judged a spoof (P(real) < ANTISPOOF_THRESHOLD) before the session fails: 1 is strictest, more forgives a noisy anti-spoof score. */
  LIVENESS_MAX_SPOOF_FRAMES: z.coerce.number().int().min(1).max(100).default(3),
  /** Frames analysed per session before it fails: bounds the CPU one session can take. */
  LIVENESS_MAX_FRAMES: z.coerce.number().int().min(10).max(10_000).default(600),
  /** Sessions one student may start per LIVENESS_WINDOW_SECONDS (429 beyond): fewer limits brute-force attempts, more allows retries. */
  LIVENESS_MAX_SESSIONS_PER_STUDENT: z.coerce.number().int().min(1).max(1000).default(5),
  LIVENESS_WINDOW_SECONDS: z.coerce.number().int().min(1).default(3600),
});

export type EngineConfig = Config & Readonly<z.infer<typeof schema>>;

export function loadEngineConfig(env: NodeJS.ProcessEnv = process.env): EngineConfig {
  const shared = loadConfig(env);
  const input = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== ''));
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n  ${problems.join('\n  ')}`, problems);
  }
  return Object.freeze({ ...shared, ...parsed.data });
}
