import { BadRequestError } from '@attendance/shared';
import type { GalleryService } from '../../../matching/gallery.service.js';
import type { HttpRouter } from '../router.js';

/**
 * The identification operating point, for admins: gallery size, the threshold in force and the FPIR it is
 * estimated to give, for a whole-school search or (`?searched=N`) a class roster of N students.
 */
export function matchingRoutes(router: HttpRouter, gallery: GalleryService): void {
  router.get('/api/v1/recognition/operating-point', { roles: ['admin', 'staff'] }, async (ctx) => {
    const raw = ctx.query.get('searched');
    const searched = raw === null ? undefined : Number(raw);
    if (searched !== undefined && !(Number.isInteger(searched) && searched > 0 && searched <= 1_000_000)) throw new BadRequestError('searched must be a positive integer');
    const school = gallery.operatingPoint();
    return { body: { school, ...(searched ? { roster: gallery.calibration.point(Math.min(searched, school.students || searched)) } : {}) } };
  });
}
