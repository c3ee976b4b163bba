/** Public surface of the face-vision core. Everything with a model in it lives in this folder. */
export type { AnalyzeOptions, DetectedFace, FaceAnalysis, FacePose, FaceQuality, QualityThresholds, VisionOptions } from './types.js';
export { VisionPipeline, VISION_DEFAULTS } from './pipeline.js';
export { cosine, DEFAULT_MATCH_THRESHOLD, EMBEDDING_SIZE } from './embedder.js';
export { ImageDecodeError, ImageTooLargeError, type ImageErrorReason } from './image.js';
export { DEFAULT_QUALITY_THRESHOLDS, assessQuality, type QualityReason } from './quality.js';
export { estimatePose } from './pose.js';
export { cv, type Mat } from './opencv.js';
