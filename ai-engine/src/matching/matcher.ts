import { DEFAULT_MATCH_THRESHOLD } from '../vision/embedder.js';
import type { Gallery, StudentScore } from './gallery.js';

/**
 * 1:1 "same person" (is this photo of the student it claims to be?): one comparison, so the pairs
 * threshold at FAR 1e-3 (DEFAULT_MATCH_THRESHOLD), not the open-set one, which grows with the gallery.
 */
export function sameStudent(similarity: number): boolean {
  return similarity >= DEFAULT_MATCH_THRESHOLD;
}

/** The weighted, normalised mean of embeddings: several views of one face judged as one (tracks, enrolments). */
export function meanEmbedding(vectors: readonly Float32Array[], weights?: readonly number[]): Float32Array {
  const out = new Float32Array(vectors[0].length);
  vectors.forEach((v, k) => { const w = weights?.[k] ?? 1; for (let i = 0; i < out.length; i++) out[i] += w * v[i]; });
  const n = Math.hypot(...out) || 1;
  return out.map((x) => x / n);
}

export interface MatchPolicy {
  /** Minimum cosine similarity to name anyone. */
  threshold: number;
  /** Minimum lead of the best student over the runner-up. */
  margin: number;
}

export type MatchDecision =
  | { kind: 'match'; studentId: number; similarity: number; candidates: StudentScore[] }
  | { kind: 'unknown'; reason: 'empty_gallery' | 'below_threshold' | 'ambiguous'; candidates: StudentScore[] };

/**
 * Open-set decision: a face is named only if it reaches the threshold calibrated for the set searched
 * (calibration.ts) and, when a margin is set, leads the runner-up by it.
 */
export function decide(gallery: Gallery, query: Float32Array, policy: MatchPolicy, roster?: ReadonlySet<number>): MatchDecision {
  const candidates = gallery.search(query, 3, roster);
  const [best, second] = candidates;
  if (!best) return { kind: 'unknown', reason: 'empty_gallery', candidates };
  if (best.similarity < policy.threshold) return { kind: 'unknown', reason: 'below_threshold', candidates };
  if (second && best.similarity - second.similarity < policy.margin) return { kind: 'unknown', reason: 'ambiguous', candidates };
  return { kind: 'match', studentId: best.studentId, similarity: best.similarity, candidates };
}
