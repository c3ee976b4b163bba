/**
 * Open-set calibration: the threshold that keeps the false-positive identification rate (FPIR: a face
 * of someone not enrolled named as some student) at a target, for the set actually searched.
 *
 * A search over n students makes n comparisons, so with p(t) = P(one impostor comparison scores ≥ t),
 * FPIR(t, n) = 1 − (1 − p(t))ⁿ, and the threshold for a target f is where p(t) = 1 − (1 − f)^(1/n).
 * p(t) is the upper tail of the impostor scores, modelled as an exponential above its top-0.1% quantile
 * (peaks over a threshold, the top 0.1%; the fit and its check against real strangers are in the README). It comes from
 * two places, and the higher threshold wins:
 * - the gallery's own leave-one-student-out scores (every enrolled student is an impostor for all the
 *   others), refitted when the gallery changes: a school whose students look more alike than the
 *   calibration set gets a higher threshold;
 * - a floor fitted once on a calibration set (LFW A–I, CALIBRATION_FLOORS), which also covers galleries too
 *   small to fit.
 */
import type { Gallery, StudentScoring } from './gallery.js';

/** P(score ≥ t) = q·exp(−(t − at)/scale) for t ≥ at: the exponential tail of the impostor scores. */
export interface ImpostorTail {
  /** Fraction of impostor comparisons at or above `at`. */
  q: number;
  at: number;
  /** Mean excess over `at` (the exponential's scale). */
  scale: number;
  /** Comparisons the fit saw. */
  samples: number;
}

/**
 * The floors, one per way of scoring a student (their tails differ): fitted on LFW A–I (235 people enrolled with
 * 3 photos each, 1,614 single-photo people as strangers: 379,290 stranger-vs-student scores, top 0.1%), rounded
 * up. On that set the fit predicted FPIR within a factor of 1.5 of the strangers actually named (README).
 */
export const CALIBRATION_FLOORS: Readonly<Record<StudentScoring, ImpostorTail>> = Object.freeze({
  max: { q: 0.001, at: 0.362, scale: 0.030, samples: 379_290 },
  mean2: { q: 0.001, at: 0.330, scale: 0.028, samples: 379_290 },
  centroid: { q: 0.001, at: 0.344, scale: 0.035, samples: 379_290 },
});

/**
 * The tail is fitted above the top 0.1% of the scores: fitted above the top 1%, the exponential over-predicted
 * FPIR at the thresholds that matter by 2–3× (the true tail falls faster), which cost enrolled students.
 */
const TAIL_FRACTION = 0.001;
/** Below this many comparisons in the tail (50,000 comparisons: ~130 students with 3 templates), the gallery's own fit is too noisy: the floor alone decides. */
const MIN_TAIL_SAMPLES = 50;
/** Probe templates used per refit: bounds the work (probes × templates dot products) in large schools. */
const MAX_PROBES = 2000;
const BIN = 0.001;

/** P(one impostor comparison scores ≥ t). Below the fitted quantile, the tail is not extrapolated downwards. */
export function impostorRate(tail: ImpostorTail, t: number): number {
  return t <= tail.at ? tail.q : tail.q * Math.exp(-(t - tail.at) / tail.scale);
}

/** The per-comparison rate that gives FPIR `fpir` over `searched` students. */
export function comparisonRate(fpir: number, searched: number): number {
  return -Math.expm1(Math.log1p(-fpir) / Math.max(1, searched));
}

export function thresholdFor(tail: ImpostorTail, fpir: number, searched: number): number {
  const p = comparisonRate(fpir, searched);
  return p >= tail.q ? tail.at : tail.at + tail.scale * Math.log(tail.q / p);
}

export function estimatedFpir(tail: ImpostorTail, threshold: number, searched: number): number {
  return -Math.expm1(Math.max(1, searched) * Math.log1p(-impostorRate(tail, threshold)));
}

/** Fits the exponential tail above the top `q` quantile of a histogram of scores (bins of BIN from −1). */
export function fitTail(histogram: Uint32Array, q = TAIL_FRACTION): ImpostorTail | null {
  let samples = 0;
  for (const c of histogram) samples += c;
  const wanted = Math.max(1, Math.round(samples * q));
  if (wanted < MIN_TAIL_SAMPLES) return null;
  let count = 0, excess = 0, bin = histogram.length - 1;
  for (; bin >= 0 && count < wanted; bin--) { count += histogram[bin]; excess += histogram[bin] * bin; }
  const at = (bin + 1) * BIN - 1;
  const scale = Math.max(BIN, (excess / count - (bin + 1)) * BIN + BIN / 2);
  return { q: count / samples, at, scale, samples };
}

/**
 * Leave-one-student-out impostor scores of a gallery: each template (up to MAX_PROBES, evenly spread)
 * against every other student, scored as searches score them. Yields to the event loop between students.
 */
export async function galleryImpostorHistogram(gallery: Gallery): Promise<Uint32Array> {
  const histogram = new Uint32Array(Math.round(2 / BIN) + 1);
  const every = Math.max(1, Math.ceil(gallery.size / MAX_PROBES));
  let row = 0;
  for (const { studentId, vectors } of gallery.runs()) {
    for (const v of vectors) {
      if (row++ % every) continue;
      gallery.scan(v, undefined, (other, score) => {
        if (other !== studentId) histogram[Math.min(histogram.length - 1, Math.max(0, Math.round((score + 1) / BIN)))]++;
      });
    }
    await new Promise((r) => setImmediate(r));
  }
  return histogram;
}

export interface OperatingPoint {
  students: number;
  templates: number;
  /** The set the figures are for: the whole school, or a roster's size. */
  searched: number;
  threshold: number;
  targetFpir: number;
  /** FPIR the threshold gives over `searched` students, by the tail in force. */
  estimatedFpir: number;
  /** Which tail set the threshold: the gallery's own, the calibration floor, or a fixed MATCH_THRESHOLD. */
  source: 'gallery' | 'calibration' | 'fixed';
  galleryTail: ImpostorTail | null;
  fittedAt: string | null;
}

export interface CalibrationSettings {
  /** Target FPIR per searched face. */
  targetFpir: number;
  /** A fixed threshold instead of the calibrated one (MATCH_THRESHOLD). */
  fixedThreshold?: number;
  floor?: ImpostorTail;
  /** Debounce before a refit after the gallery changed (enrolments come in bursts). */
  refitDelayMs?: number;
}

/** Keeps the gallery's tail fresh (refitted a moment after the gallery changes) and turns it into thresholds. */
export class Calibration {
  private tail: ImpostorTail | null = null;
  private fittedVersion = -1;
  private fittedAt: Date | null = null;
  private timer: NodeJS.Timeout | null = null;
  private fitting: Promise<void> | null = null;
  private readonly floor: ImpostorTail;

  constructor(private readonly gallery: Gallery, private readonly settings: CalibrationSettings) {
    this.floor = settings.floor ?? CALIBRATION_FLOORS[gallery.scoring];
  }

  get targetFpir(): number { return this.settings.targetFpir; }

  /** The threshold for a search over `searched` students (default: the whole gallery), at `fpir` (default: the target). */
  threshold(searched = this.gallery.studentCount, fpir = this.settings.targetFpir): number {
    return this.point(searched, fpir).threshold;
  }

  point(searched = this.gallery.studentCount, fpir = this.settings.targetFpir): OperatingPoint {
    this.scheduleRefit();
    const f = fpir;
    const fromFloor = thresholdFor(this.floor, f, searched);
    const fromGallery = this.tail ? thresholdFor(this.tail, f, searched) : -Infinity;
    const fixed = this.settings.fixedThreshold;
    const source = fixed !== undefined ? 'fixed' : fromGallery > fromFloor ? 'gallery' : 'calibration';
    const threshold = fixed ?? Math.max(fromFloor, fromGallery);
    // The estimate uses the tail that predicts more false positives at this threshold.
    const estimate = Math.max(estimatedFpir(this.floor, threshold, searched), this.tail ? estimatedFpir(this.tail, threshold, searched) : 0);
    return {
      students: this.gallery.studentCount, templates: this.gallery.size, searched, threshold: round(threshold), targetFpir: f,
      estimatedFpir: Number(estimate.toPrecision(3)), source, galleryTail: this.tail, fittedAt: this.fittedAt?.toISOString() ?? null,
    };
  }

  /** Refits now if the gallery changed since the last fit (tests and the evaluation wait on it). */
  async refresh(): Promise<void> {
    if (this.timer) { clearTimeout(this.timer); this.timer = null; }
    while (this.fittedVersion !== this.gallery.version) {
      this.fitting ??= this.fit().finally(() => { this.fitting = null; });
      await this.fitting;
    }
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private scheduleRefit(): void {
    if (this.fittedVersion === this.gallery.version || this.timer || this.fitting) return;
    this.timer = setTimeout(() => { this.timer = null; void this.refresh(); }, this.settings.refitDelayMs ?? 2000);
    this.timer.unref();
  }

  private async fit(): Promise<void> {
    const version = this.gallery.version;
    this.tail = fitTail(await galleryImpostorHistogram(this.gallery));
    this.fittedAt = new Date();
    // A change during the fit leaves the version behind, so the next call fits again.
    this.fittedVersion = version;
  }
}

const round = (x: number) => Math.round(x * 10000) / 10000;
