import { REGISTER_COLUMNS } from '../services/register-export.service.js';

/** The SIS/LMS read API, described for school-system integrators (served at /api/v1/openapi.json). */
export function openApiDocument(): Record<string, unknown> {
  const pageParams = [
    { name: 'page', in: 'query', schema: { type: 'integer', minimum: 1, default: 1 } },
    { name: 'perPage', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 200, default: 50 } },
  ];
  const error = { description: 'Error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
  const paged = (item: string) => ({
    type: 'object', required: ['page', 'perPage', 'total', 'data'],
    properties: { page: { type: 'integer' }, perPage: { type: 'integer' }, total: { type: 'integer' }, data: { type: 'array', items: { $ref: `#/components/schemas/${item}` } } },
  });
  return {
    openapi: '3.0.3',
    info: { title: 'Face Attendance — school systems API', version: '1.0.0', description: 'Read-only students and attendance for SIS/LMS integrations.' },
    servers: [{ url: '/api/v1' }],
    security: [{ apiKey: [] }, { bearer: [] }],
    paths: {
      '/auth/token': {
        post: {
          summary: 'Exchange an admin or staff login for a bearer token (audience admin-api, 1 h)', security: [],
          requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['username', 'password'], properties: { username: { type: 'string' }, password: { type: 'string' } } } } } },
          responses: { 200: { description: 'Token', content: { 'application/json': { schema: { type: 'object', properties: { access_token: { type: 'string' }, token_type: { type: 'string' }, expires_in: { type: 'integer' } } } } } }, 401: error, 429: error },
        },
      },
      '/students': {
        get: {
          summary: 'Students, by id',
          parameters: [
            ...pageParams,
            { name: 'classGroupId', in: 'query', schema: { type: 'integer' } },
            { name: 'active', in: 'query', schema: { type: 'boolean' } },
            { name: 'rollNumber', in: 'query', schema: { type: 'string' } },
            { name: 'q', in: 'query', description: 'part of the name', schema: { type: 'string' } },
          ],
          responses: { 200: { description: 'A page of students', content: { 'application/json': { schema: paged('Student') } } }, 400: error, 401: error },
        },
      },
      '/attendance': {
        get: {
          summary: 'Attendance marks, newest first',
          parameters: [
            ...pageParams,
            { name: 'from', in: 'query', schema: { type: 'string', format: 'date' } },
            { name: 'to', in: 'query', schema: { type: 'string', format: 'date' } },
            { name: 'classGroupId', in: 'query', schema: { type: 'integer' } },
            { name: 'studentId', in: 'query', schema: { type: 'integer' } },
            { name: 'status', in: 'query', schema: { type: 'string', enum: ['present', 'late', 'absent', 'excused'] } },
          ],
          responses: { 200: { description: 'A page of marks', content: { 'application/json': { schema: paged('Mark') } } }, 400: error, 401: error },
        },
      },
      '/register': {
        get: {
          summary: 'The register: every student of every lesson from..to (at most 366 days), absences included, school-local times',
          parameters: [
            ...pageParams,
            { name: 'from', in: 'query', required: true, schema: { type: 'string', format: 'date' } },
            { name: 'to', in: 'query', required: true, schema: { type: 'string', format: 'date' } },
            { name: 'classGroupId', in: 'query', schema: { type: 'integer' } },
          ],
          responses: { 200: { description: 'A page of register rows', content: { 'application/json': { schema: paged('RegisterRow') } } }, 400: error, 401: error },
        },
      },
      '/register.csv': {
        get: {
          summary: 'The same register rows as one CSV file (UTF-8 with BOM, CRLF)',
          parameters: [
            { name: 'from', in: 'query', required: true, schema: { type: 'string', format: 'date' } },
            { name: 'to', in: 'query', required: true, schema: { type: 'string', format: 'date' } },
            { name: 'classGroupId', in: 'query', schema: { type: 'integer' } },
          ],
          responses: { 200: { description: 'CSV', content: { 'text/csv': { schema: { type: 'string' } } } }, 400: error, 401: error },
        },
      },
    },
    components: {
      securitySchemes: {
        apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'An SIS key created by an admin (Administration → API keys)' },
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
      },
      schemas: {
        Error: { type: 'object', required: ['error', 'message'], properties: { error: { type: 'string' }, message: { type: 'string' }, details: {} } },
        Student: {
          type: 'object',
          properties: {
            id: { type: 'integer' }, name: { type: 'string' }, rollNumber: { type: 'string' }, classGroupId: { type: 'integer', nullable: true },
            classGroup: { type: 'string', nullable: true }, active: { type: 'boolean' }, enrolledAt: { type: 'string', format: 'date-time', nullable: true },
          },
        },
        RegisterRow: {
          type: 'object',
          properties: Object.fromEntries(REGISTER_COLUMNS.map((c) => [c, { type: c === 'lesson_id' ? 'integer' : 'string', nullable: true }])),
        },
        Mark: {
          type: 'object',
          properties: {
            id: { type: 'integer' }, day: { type: 'string', format: 'date' }, markedAt: { type: 'string', format: 'date-time' }, slot: { type: 'string' },
            status: { type: 'string', enum: ['present', 'late', 'absent', 'excused'] }, source: { type: 'string', enum: ['camera', 'laptop', 'manual', 'api', 'auto'] },
            confidence: { type: 'number', nullable: true }, studentId: { type: 'integer' }, studentName: { type: 'string' }, rollNumber: { type: 'string' },
            classGroup: { type: 'string', nullable: true }, camera: { type: 'string', nullable: true }, note: { type: 'string', nullable: true },
          },
        },
      },
    },
  };
}
