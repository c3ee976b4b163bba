/**
 * The OpenAPI 3 document. Every registered route must have an entry here and vice versa
 * (a test compares them), so the document cannot drift from the server.
 */
type Op = { summary: string; auth: 'public' | 'bearer' | 'bearer-or-device'; body?: string; responses: Record<string, string> };

const JSON_ERR = { 400: 'bad request', 401: 'no or bad token', 403: 'role not allowed' };

export const OPERATIONS: Record<string, Op> = {
  'post /api/v1/auth/login': { summary: 'Log in: {username, password} → {access_token, token_type, expires_in, role}. Rate-limited per IP and username (429).', auth: 'public', body: 'Login', responses: { 200: 'token', 400: 'bad request', 401: 'wrong username or password', 429: 'too many attempts' } },
  'get /api/v1/auth/me': { summary: 'The caller as the engine sees it.', auth: 'bearer', responses: { 200: 'principal', 401: 'no or bad token' } },
  'post /api/v1/recognize': { summary: 'Image (raw image/jpeg|png body, multipart `image`, or JSON {image: base64}) → every face with box, landmarks, pose, quality, P(real), verdict and best matches. Admin and staff (school-wide; runner-up candidates only for real, usable faces) or a device key (its own camera; no candidates); teachers 403. `?mark=true` marks attendance (source `api`, audited); `?camera_id=` applies that camera\'s timetable (a device key\'s camera cannot be changed).', auth: 'bearer-or-device', body: 'Recognize', responses: { 200: 'faces and marks', ...JSON_ERR, 413: 'body too large', 422: 'not a usable image' } },
  'post /api/v1/enroll': { summary: 'Photos of one student (JSON {student_id | name+roll_number+consent, photos: [base64]} or multipart) → encrypted templates; per-photo rejection reasons; 403 consent_required without a recorded consent; 409 if the face belongs to another student (admins may force).', auth: 'bearer', body: 'Enroll', responses: { 201: 'enrolled', ...JSON_ERR, 404: 'no such student', 409: 'duplicate face or roll number', 413: 'body too large', 422: 'no usable photo' } },
  'post /api/v1/liveness/session': { summary: 'Start a liveness registration for {student_id} → {session_id, student_id, status, step, steps, steps_done, failure, expires_at}. Staff, or a token scoped to liveness of that student. 403 consent_required without consent; 429 past the per-student session limit.', auth: 'bearer', body: 'LivenessCreate', responses: { 201: 'session', ...JSON_ERR, 404: 'no such student', 409: 'student inactive', 429: 'too many sessions for this student' } },
  'post /api/v1/liveness/detect': { summary: 'One webcam frame {session_id, position?, image: base64 JPEG} → {status, step, steps_done, accepted, hint, faces, yaw, failure}. Frames are analysed, never stored. The WebSocket /ws/liveness?session= does the same for a stream.', auth: 'bearer', body: 'LivenessDetect', responses: { 200: 'verdict for this frame', ...JSON_ERR, 404: 'no such session', 409: 'session already used, or a frame is still being analysed (on any engine)', 413: 'body too large', 422: 'not an image', 503: 'Redis (where open sessions live) does not answer' } },
  'post /api/v1/liveness/verify': { summary: 'The session\'s state {session_id} → {status: pending|passed|failed|expired, steps_done, failure, …}.', auth: 'bearer', body: 'LivenessSession', responses: { 200: 'state', ...JSON_ERR, 404: 'no such session' } },
  'post /api/v1/liveness/register-student': { summary: 'Store a passed session\'s center/left/right embeddings as the student\'s encrypted templates {session_id} → {student_id, templates, poses}; duplicate-checked; enqueues a gallery job; once per session. Marks no attendance.', auth: 'bearer', body: 'LivenessSession', responses: { 201: 'registered', ...JSON_ERR, 404: 'no such session', 409: 'not passed, already used, or the face belongs to another student' } },
  'get /health': { summary: 'Liveness and readiness: models, database, Redis, gallery size. Public: no personal data.', auth: 'public', responses: { 200: 'healthy', 503: 'a dependency is down' } },
  'get /metrics': { summary: 'Prometheus text format: requests, latencies, inference per stage, gallery size, WebSocket clients.', auth: 'bearer', responses: { 200: 'metrics', 401: 'no or bad token', 403: 'role not allowed' } },
  'post /api/v1/detection/start': { summary: 'Start a camera (sets it enabled; whichever engine receives this, the one holding its lease runs it): {camera_id} → {camera: {camera_id, state, detail, fps, faces, marks, engine}}. Teachers only for cameras in rooms where a class they teach is scheduled. 503 at CAMERA_MAX_CONCURRENT.', auth: 'bearer', body: 'CameraId', responses: { 200: 'camera status', ...JSON_ERR, 404: 'no such camera', 503: 'concurrency limit reached' } },
  'post /api/v1/detection/stop': { summary: 'Stop a camera (sets it not enabled; its owning engine stops it, wherever it runs): {camera_id} → {camera: status}.', auth: 'bearer', body: 'CameraId', responses: { 200: 'camera status', ...JSON_ERR, 404: 'no such camera' } },
  'get /api/v1/detection/status': { summary: '{engine, running_here: [camera ids], cameras: [{camera_id, state, detail, fps, faces, marks, engine (lease holder or null)}], laptop_sessions: [{session, camera_id, username, state, fps, faces, marks, started_at}]}: the cameras the caller may use.', auth: 'bearer', responses: { 200: 'status', 401: 'no or bad token', 403: 'role not allowed' } },
  'post /api/v1/detection/laptop-camera/start': { summary: 'Start a laptop-camera session: {camera_id?} → 201 {session, camera_id, ws_path}; then open ws_path (&token=…) and send JPEG frames as binary messages. The session ends when its socket closes or after LAPTOP_IDLE_SECONDS without a frame.', auth: 'bearer', body: 'LaptopStart', responses: { 201: 'session', ...JSON_ERR, 404: 'no such camera', 429: 'LAPTOP_MAX_SESSIONS or LAPTOP_MAX_PER_USER reached' } },
  'post /api/v1/detection/laptop-camera/stop': { summary: 'End a laptop-camera session: {session} → its final counters; a session another engine runs is stopped there → {session, camera_id, username, state, engine}.', auth: 'bearer', body: 'LaptopStop', responses: { 200: 'session ended', ...JSON_ERR, 404: 'no such session' } },
  'get /stream/:camera_id': { summary: 'MJPEG preview (multipart/x-mixed-replace; boundary=frame) with boxes, names, similarity, "unknown"/"spoof", at MJPEG_FPS while the camera runs. Token as Bearer header or ?token= (for <img>). 503 beyond MJPEG_MAX_VIEWERS.', auth: 'bearer', responses: { 200: 'MJPEG stream', ...JSON_ERR, 404: 'no such camera', 503: 'too many viewers' } },
  'get /api/v1/openapi.json': { summary: 'This document.', auth: 'public', responses: { 200: 'OpenAPI 3 document' } },
};

const SCHEMAS = {
  Login: { type: 'object', required: ['username', 'password'], properties: { username: { type: 'string' }, password: { type: 'string' } } },
  Recognize: { type: 'object', required: ['image'], properties: { image: { type: 'string', description: 'base64 JPEG/PNG or data URL' }, camera_id: { type: 'integer' } } },
  Enroll: {
    type: 'object', required: ['photos'], properties: {
      student_id: { type: 'integer' }, name: { type: 'string' }, roll_number: { type: 'string' }, class_group_id: { type: 'integer' },
      photos: { type: 'array', items: { type: 'string' }, maxItems: 10 }, force: { type: 'boolean' },
      consent: {
        type: 'object', description: 'required for a new student', required: ['given_by', 'relationship', 'method', 'policy_version'],
        properties: { given_by: { type: 'string' }, relationship: { type: 'string' }, method: { type: 'string', enum: ['paper', 'digital', 'in_person'] }, policy_version: { type: 'string' } },
      },
    },
  },
  CameraId: { type: 'object', required: ['camera_id'], properties: { camera_id: { type: 'integer' } } },
  LaptopStart: { type: 'object', properties: { camera_id: { type: 'integer', nullable: true } } },
  LaptopStop: { type: 'object', required: ['session'], properties: { session: { type: 'string', format: 'uuid' } } },
  LivenessCreate: { type: 'object', required: ['student_id'], properties: { student_id: { type: 'integer' } } },
  LivenessSession: { type: 'object', required: ['session_id'], properties: { session_id: { type: 'string', format: 'uuid' } } },
  LivenessDetect: { type: 'object', required: ['session_id', 'image'], properties: { session_id: { type: 'string', format: 'uuid' }, position: { type: 'string', enum: ['center', 'left', 'right'] }, image: { type: 'string', description: 'base64 JPEG or data URL' } } },
  Error: { type: 'object', required: ['error', 'message'], properties: { error: { type: 'string' }, message: { type: 'string' }, details: {} } },
};

/** `/stream/:id` → `/stream/{id}`. */
const toOpenApiPath = (p: string) => p.replace(/:(\w+)/g, '{$1}');

export function buildOpenApi(version: string): object {
  const paths: Record<string, Record<string, object>> = {};
  for (const [key, op] of Object.entries(OPERATIONS)) {
    const [method, path] = key.split(' ');
    const params = [...path.matchAll(/:(\w+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    (paths[toOpenApiPath(path)] ??= {})[method] = {
      summary: op.summary,
      ...(params.length ? { parameters: params } : {}),
      security: op.auth === 'public' ? [] : op.auth === 'bearer' ? [{ bearer: [] }] : [{ bearer: [] }, { deviceKey: [] }],
      ...(op.body ? { requestBody: { content: { 'application/json': { schema: { $ref: `#/components/schemas/${op.body}` } } } } } : {}),
      responses: Object.fromEntries(Object.entries(op.responses).map(([code, description]) => [code, {
        description, ...(Number(code) >= 400 ? { content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } } : {}),
      }])),
    };
  }
  return {
    openapi: '3.0.3',
    info: { title: 'Face Attendance AI engine', version },
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, deviceKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' } },
      schemas: SCHEMAS,
    },
  };
}
