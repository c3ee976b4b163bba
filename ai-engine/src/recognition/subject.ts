/**
 * Which face a photo is of. Photos of one person (enrolment uploads, LFW, ID photos) often show someone
 * else too; the person photographed is the face nearest the centre, weighted by size. Another face that is
 * nearly as central and as large makes the photo ambiguous: enrolment refuses it rather than guess.
 */
export interface Boxed { box: [number, number, number, number] }

/** Distance of the face centre from the image centre, in face sizes: small = central and large. */
export function offCentre(f: Boxed, width: number, height: number): number {
  const [x, y, w, h] = f.box;
  return Math.hypot(x + w / 2 - width / 2, y + h / 2 - height / 2) / Math.sqrt(Math.max(1, w * h));
}

/** A rival this close in centrality (face sizes) and at least this large (area ratio) makes the photo ambiguous. */
const AMBIGUOUS_CENTRE_GAP = 0.5;
const AMBIGUOUS_AREA_RATIO = 0.5;

export function subjectFace<T extends Boxed>(faces: readonly T[], width: number, height: number): { face: T | undefined; ambiguous: boolean } {
  const ranked = [...faces].sort((a, b) => offCentre(a, width, height) - offCentre(b, width, height));
  const [face, rival] = ranked;
  if (!face || !rival) return { face, ambiguous: false };
  const area = (f: Boxed) => f.box[2] * f.box[3];
  const ambiguous = offCentre(rival, width, height) - offCentre(face, width, height) < AMBIGUOUS_CENTRE_GAP && area(rival) >= AMBIGUOUS_AREA_RATIO * area(face);
  return { face, ambiguous };
}
