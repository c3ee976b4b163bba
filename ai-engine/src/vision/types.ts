/** Public shapes of the vision pipeline. Everything here is plain data: safe to serialise (but for Float32Array). */

/** Pass/fail limits for a face crop; every one is a trade-off between rejecting usable faces and accepting poor ones. */
export interface QualityThresholds {
  /** Minimum distance between the eye centres in source pixels. Below ~24 px the 112×112 crop is an upscaled blur (the template's own distance is 35 px). */
  minInterOcular: number;
  /**
   * Minimum variance of the Laplacian of the aligned grey face region. Lower accepts motion blur and
   * out-of-focus faces. Default 60: none of the 330 test photos fell below it, 261 of their blurred
   * copies (Gaussian, σ = eye distance / 12) did.
   */
  minSharpness: number;
  /** Mean grey level (0–255) of the aligned face region below which the face is 'too_dark'. */
  minBrightness: number;
  /** Mean grey level above which the face is 'too_bright' (washed out). */
  maxBrightness: number;
  /** |yaw| in degrees above which the pose is too large. Liveness asks for ±15° turns, so keep this well above 15. */
  maxYaw: number;
  /** |pitch| in degrees above which the pose is too large. */
  maxPitch: number;
}

export interface VisionOptions {
  /** Folder holding the .onnx files (see models/models.json). */
  modelsDir: string;
  /** ONNX Runtime intra-op threads per session. Default 1: measured fastest here for these small models. */
  threads?: number;
  /** YuNet score (sqrt(cls·obj)) below which a candidate is dropped. Default 0.6 (MODELS.md). */
  detectorScoreThreshold?: number;
  /** Faces whose box is narrower or shorter than this many source pixels are ignored. Default 20. */
  minFaceSize?: number;
  /** Images with more pixels than this are refused before decoding (ImageTooLargeError). Default 40 MP. */
  maxImagePixels?: number;
  /**
   * Longer side, in pixels, the frame is scaled down to before detection (never up). Default 640.
   * Smaller is faster but misses small faces: YuNet needs a face of about 10–15 px at its input, so 320
   * suits close-up webcam frames (faces of 40 px and more in 640×480) and cost nothing in accuracy on the
   * pairs set (landmarks come from the refinement pass); classroom cameras want the frame's full width.
   */
  detectorMaxSide?: number;
  /**
   * Embed the mirrored crop too and sum both embeddings. Default false: with refined landmarks it did not
   * help on the pairs set (10-fold 97.6% with, 98.0% without) and costs a second embedder run. Changes modelId.
   */
  flipTta?: boolean;
  /** When nothing is found, detect again on the image with a border added: YuNet misses faces that fill the whole frame. Default true. */
  padRetry?: boolean;
  /**
   * Re-detect each face at a canonical scale, with its mirror image, and average the landmarks.
   * Default true: 10-fold accuracy on the pairs set 95.2% → 98.0%, for about 2 ms per face (README).
   */
  refineLandmarks?: boolean;
  /** Quality verdict thresholds (merged over DEFAULT_QUALITY_THRESHOLDS). */
  quality?: Partial<QualityThresholds>;
  /**
   * At most this many faces (the largest) are analysed per image. Default 32: a full class photo; each face
   * costs about 7 ms (refine, align, embed), so an image crowded with faces cannot hold the engine for long.
   */
  maxFaces?: number;
  /**
   * Worker threads that run the models (the inference pool); 0 runs them on the calling thread.
   * Default 0 here; the engine uses one per core (VISION_WORKERS), so inference leaves the server thread.
   */
  workers?: number;
  /** Images decoded and analysed at once through withImage/analyzeBytes. Default 2 × workers (at least 2). */
  maxActive?: number;
  /** Images allowed to wait for an analysis slot; beyond this InferenceBusyError (HTTP 503, Retry-After). Default 32. */
  maxQueued?: number;
}

/**
 * Head pose in degrees, AS SEEN BY THE STUDENT in an unmirrored camera image:
 * - yaw < 0: the student turned to their own left (their face turns toward the image's right side);
 *   yaw > 0: to their own right. Mirroring the image flips the sign.
 * - pitch > 0: chin up (looking up); pitch < 0: looking down.
 * - roll > 0: the eye line rotates clockwise in the image (the image-right eye lower). Mirroring flips it.
 */
export interface FacePose { yaw: number; pitch: number; roll: number }

export interface FaceQuality {
  ok: boolean;
  /** Machine-readable: 'too_small', 'too_blurry', 'too_dark', 'too_bright', 'pose_too_large'. */
  reasons: string[];
  /** Distance between the eye centres, source pixels. */
  interOcular: number;
  /** Variance of the Laplacian of the aligned grey face region. */
  sharpness: number;
  /** Mean grey level 0–255 of the aligned face region. */
  brightness: number;
}

export interface DetectedFace {
  /** x, y, width, height in source pixels (may reach slightly outside the image). */
  box: [number, number, number, number];
  score: number;
  /** Eye (image-left), eye (image-right), nose tip, mouth corner (image-left), mouth corner (image-right). */
  landmarks: [number, number][];
}

export interface FaceAnalysis extends DetectedFace {
  pose: FacePose;
  quality: FaceQuality;
  /** 128 values, L2-normalised; compare with cosine(). */
  embedding?: Float32Array;
  /** Anti-spoofing P(real), 0..1. */
  real?: number;
}

export interface AnalyzeOptions {
  /** Compute embeddings (default true). */
  embed?: boolean;
  /** Run anti-spoofing (default true). */
  antispoof?: boolean;
  /** Keep only the largest N faces. */
  maxFaces?: number;
  /** Override VisionOptions.refineLandmarks for this call (e.g. off for a busy camera, on for enrollment). */
  refineLandmarks?: boolean;
  /** Override VisionOptions.detectorMaxSide for this call (e.g. 320 for a close-up webcam frame). */
  detectorMaxSide?: number;
}
