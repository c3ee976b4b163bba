import { z } from 'zod';
import type { DataSource } from 'typeorm';
import { BadRequestError, ForbiddenError, parseId, writeAudit } from '@attendance/shared';
import { auditActor, type Principal } from '../../../auth/auth.service.js';
import type { CameraAccess } from '../../../cameras/camera-access.js';
import type { RecognitionService, RecognizedFace } from '../../../recognition/recognize.service.js';
import { isRawImage, readMultipart } from '../body-forms.js';
import type { HttpRouter, RequestContext } from '../router.js';

const RecognizeJson = z.object({ image: z.string().min(1), camera_id: z.unknown().optional() });

/**
 * Who may identify faces from an uploaded image: admin and staff (school-wide, for enrolment checks
 * and devices' set-up), and a device key (its own camera only). A teacher identifies through their
 * classroom cameras and the live view, never by uploading a photo of any child.
 */
const ROLES = ['admin', 'staff'] as const;

/** `camera_id` from the query, a form field or JSON: a positive integer id (shared `parseId`), anything else a 400. */
export function parseCameraId(raw: unknown): number | undefined {
  return raw === undefined || raw === null || raw === '' ? undefined : parseId(raw, 'camera_id');
}

function imageOf(ctx: RequestContext): { image: Buffer | string; cameraId?: number } {
  const fromQuery = parseCameraId(ctx.query.get('camera_id') ?? undefined);
  if (isRawImage(ctx)) return { image: ctx.body, cameraId: fromQuery };
  const form = readMultipart(ctx);
  if (form) {
    const file = form.files.find((f) => f.name === 'image') ?? form.files[0];
    if (!file) throw new BadRequestError('multipart body has no image file');
    return { image: file.data, cameraId: fromQuery ?? parseCameraId(form.fields.camera_id) };
  }
  const body = ctx.json(RecognizeJson);
  return { image: body.image, cameraId: fromQuery ?? parseCameraId(body.camera_id) };
}

/** A device's camera is its key's: a query cannot move it to another camera. */
function cameraFor(principal: Principal, requested: number | undefined): number | null {
  if (principal.kind !== 'device') return requested ?? null;
  if (requested !== undefined && requested !== principal.cameraId) throw new ForbiddenError('this device key is bound to another camera');
  return principal.cameraId;
}

/**
 * Only staff see the runner-up candidates (names and scores), and only for real, usable faces: a
 * device gets the decision, and a spoof or a blurred face names no one.
 */
function visibleFace(face: RecognizedFace, principal: Principal): RecognizedFace {
  const seesCandidates = principal.kind === 'user' && face.verdict !== 'spoof' && face.verdict !== 'low_quality';
  return { ...face, candidates: seesCandidates ? face.candidates : [] };
}

export function recognizeRoutes(router: HttpRouter, recognition: RecognitionService, access: CameraAccess, db: DataSource): void {
  router.post('/api/v1/recognize', { roles: ROLES, device: true }, async (ctx) => {
    const principal = ctx.principal!;
    const { image, cameraId: requested } = imageOf(ctx);
    const mark = ctx.query.get('mark') === 'true';
    const cameraId = cameraFor(principal, requested);
    if (cameraId !== null) await access.check(principal, cameraId);
    // One uploaded frame is not a tracked camera sighting: its marks say so (source `api`), whoever sends it.
    const { faces, marks } = await recognition.recognizeBytes(image, { mark, cameraId, source: 'api' });
    const written = marks.filter((m) => m.marked);
    if (principal.kind === 'user' || written.length) {
      await writeAudit(db, {
        action: mark ? 'recognize.marked' : 'recognize.identified', actor: auditActor(principal), entity: 'camera', entityId: cameraId ?? undefined, ip: ctx.ip,
        details: { faces: faces.length, matched: faces.filter((f) => f.match).map((f) => f.match!.student_id), marked: written.map((m) => m.marked && m.record.studentId) },
      });
    }
    return {
      body: {
        faces: faces.map((f) => visibleFace(f, principal)),
        marks: marks.map((m) => (m.marked
          ? { marked: true, id: m.record.id, student_id: m.record.studentId, status: m.record.status, slot: m.record.slot, day: m.record.day }
          : { marked: false, reason: m.reason })),
      },
    };
  });
}
