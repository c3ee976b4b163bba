import { z } from 'zod';
import { BadRequestError, CONSENT_METHODS } from '@attendance/shared';
import type { EnrollTarget, EnrollmentService } from '../../../enrollment/enroll.service.js';
import { readMultipart } from '../body-forms.js';
import { zId, type HttpRouter, type RequestContext } from '../router.js';

const MAX_PHOTOS = 10;

const ConsentBody = z.object({
  given_by: z.string().trim().min(1).max(128),
  relationship: z.string().trim().min(1).max(32),
  method: z.enum(CONSENT_METHODS),
  policy_version: z.string().trim().min(1).max(32),
});

const Target = z.object({
  student_id: zId().optional(),
  name: z.string().trim().min(1).max(128).optional(),
  roll_number: z.string().trim().min(1).max(32).optional(),
  class_group_id: zId().optional(),
  force: z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]).optional(),
  /** For a new student: the consent given for them (in multipart, a JSON string). */
  consent: z.preprocess((v) => (typeof v === 'string' ? safeJson(v) : v), ConsentBody).optional(),
});

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text; // zod then reports the field as invalid
  }
}
const EnrollJson = Target.extend({ photos: z.array(z.string().min(1)).min(1).max(MAX_PHOTOS) });

function parse(ctx: RequestContext): { target: EnrollTarget; photos: Array<Buffer | string>; force: boolean } {
  const form = readMultipart(ctx);
  let t: z.infer<typeof Target>;
  let photos: Array<Buffer | string>;
  if (form) {
    const r = Target.safeParse(form.fields);
    if (!r.success) throw new BadRequestError('invalid form fields', r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
    t = r.data;
    photos = form.files.map((f) => f.data);
    if (!photos.length || photos.length > MAX_PHOTOS) throw new BadRequestError(`send 1 to ${MAX_PHOTOS} photo files`);
  } else {
    const body = ctx.json(EnrollJson);
    t = body;
    photos = body.photos;
  }
  let target: EnrollTarget;
  if (t.student_id) target = { studentId: t.student_id };
  else if (t.name && t.roll_number) {
    const c = t.consent;
    target = {
      name: t.name, rollNumber: t.roll_number, classGroupId: t.class_group_id ?? null,
      consent: c && { givenBy: c.given_by, relationship: c.relationship, method: c.method, policyVersion: c.policy_version },
    };
  }
  else throw new BadRequestError('give student_id, or name and roll_number for a new student');
  return { target, photos, force: t.force ?? false };
}

export function enrollRoutes(router: HttpRouter, enrollment: EnrollmentService): void {
  router.post('/api/v1/enroll', { roles: ['admin', 'staff'] }, async (ctx) => {
    const { target, photos, force } = parse(ctx);
    const result = await enrollment.enrollPhotos({ target, photos, force, actor: ctx.principal!, ip: ctx.ip });
    return { status: 201, body: result };
  });
}
