import { z } from 'zod';
import { ConfigError, loadConfig, type Config } from '@attendance/shared';

/**
 * The engine's own settings, validated with the shared ones at start-up. Each says what it trades off;
 * the README's configuration table repeats them.
 */
const schema = z.object({
  /** ONNX Runtime intra-op threads per model. 1 was fastest for these small models on 2 cores. */
  VISION_THREADS: z.coerce.number().int().min(1).max(64).default(1),
  /** Detector confidence below which a candidate face is dropped: lower finds more faces and more false ones. */
  DETECTOR_SCORE_THRESHOLD: z.coerce.number().gt(0).lt(1).default(0.6),
  /** Faces smaller than this (px) are ignored: smaller reaches the back row, but embeds poorly. */
  MIN_FACE_SIZE: z.coerce.number().int().min(0).default(20),
  /** Images with more pixels than this are refused before decoding (memory guard). */
  MAX_IMAGE_PIXELS: z.coerce.number().int().min(10_000).default(40_000_000),
  /** Largest request body accepted (bytes); photos are sent as JPEG/PNG, several per enrolment. */
  MAX_BODY_BYTES: z.coerce.number().int().min(1024).default(20 * 1024 * 1024),
  /** Cosine similarity a face must reach to be named: higher means fewer wrong names and more `unknown`. */
  MATCH_THRESHOLD: z.coerce.number().min(-1).max(1).optional(),
  /** How far the best student must lead the runner-up: guards against look-alikes. */
  MATCH_MARGIN: z.coerce.number().min(0).max(2).default(0.05),
  /** P(real) from anti-spoofing below which a face is treated as a photo/screen and never marks anyone. */
  ANTISPOOF_THRESHOLD: z.coerce.number().min(0).max(1).default(0.5),
  /** Failed logins allowed per username in LOGIN_WINDOW_SECONDS before 429 (five times as many per IP address). */
  LOGIN_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(10),
  LOGIN_WINDOW_SECONDS: z.coerce.number().int().min(1).default(15 * 60),
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
