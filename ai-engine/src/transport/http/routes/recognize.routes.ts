import { z } from 'zod';
import { BadRequestError } from '@attendance/shared';
import type { RecognitionService } from '../../../recognition/recognize.service.js';
import { isRawImage, readMultipart } from '../body-forms.js';
import type { HttpRouter, RequestContext } from '../router.js';

const RecognizeJson = z.object({ image: z.string().min(1), camera_id: z.number().int().positive().optional() });

function imageOf(ctx: RequestContext): { image: Buffer | string; cameraId?: number } {
  const cameraParam = ctx.query.get('camera_id');
  const cameraId = cameraParam ? Number(cameraParam) : undefined;
  if (cameraId !== undefined && !(Number.isInteger(cameraId) && cameraId > 0)) throw new BadRequestError('camera_id must be a positive integer');
  if (isRawImage(ctx)) return { image: ctx.body, cameraId };
  const form = readMultipart(ctx);
  if (form) {
    const file = form.files.find((f) => f.name === 'image') ?? form.files[0];
    if (!file) throw new BadRequestError('multipart body has no image file');
    return { image: file.data, cameraId: cameraId ?? (form.fields.camera_id ? Number(form.fields.camera_id) : undefined) };
  }
  const body = ctx.json(RecognizeJson);
  return { image: body.image, cameraId: cameraId ?? body.camera_id };
}

export function recognizeRoutes(router: HttpRouter, recognition: RecognitionService): void {
  router.post('/api/v1/recognize', { device: true }, async (ctx) => {
    const { image, cameraId } = imageOf(ctx);
    const mark = ctx.query.get('mark') === 'true';
    const cam = cameraId ?? (ctx.principal?.kind === 'device' ? ctx.principal.cameraId : null);
    const { faces, marks } = await recognition.recognizeBytes(image, { mark, cameraId: cam, source: cam ? 'camera' : 'api' });
    return {
      body: {
        faces,
        marks: marks.map((m) => (m.marked
          ? { marked: true, id: m.record.id, student_id: m.record.studentId, status: m.record.status, slot: m.record.slot, day: m.record.day }
          : { marked: false, reason: m.reason })),
      },
    };
  });
}
