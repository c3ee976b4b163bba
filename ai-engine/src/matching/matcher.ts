import type { Gallery, StudentScore } from './gallery.js';

export interface MatchPolicy {
  /** Minimum cosine similarity to name anyone. */
  threshold: number;
  /** Minimum lead of the best student over the runner-up. */
  margin: number;
}

export type MatchDecision =
  | { kind: 'match'; studentId: number; similarity: number; candidates: StudentScore[] }
  | { kind: 'unknown'; reason: 'empty_gallery' | 'below_threshold' | 'ambiguous'; candidates: StudentScore[] };

/** Threshold plus margin: a face is named only if it is close to one student and clearly closer than to any other. */
export function decide(gallery: Gallery, query: Float32Array, policy: MatchPolicy, roster?: ReadonlySet<number>): MatchDecision {
  const candidates = gallery.search(query, 3, roster);
  const [best, second] = candidates;
  if (!best) return { kind: 'unknown', reason: 'empty_gallery', candidates };
  if (best.similarity < policy.threshold) return { kind: 'unknown', reason: 'below_threshold', candidates };
  if (second && best.similarity - second.similarity < policy.margin) return { kind: 'unknown', reason: 'ambiguous', candidates };
  return { kind: 'match', studentId: best.studentId, similarity: best.similarity, candidates };
}
