import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ForbiddenError } from '@attendance/shared';
import type { Principal } from '../auth/auth.service.js';
import { LivenessService } from './liveness.service.js';

const user = (role: 'admin' | 'staff' | 'teacher', extra: Partial<Extract<Principal, { kind: 'user' }>> = {}): Principal =>
  ({ kind: 'user', userId: 1, username: role, role, ...extra });

describe('who may run a liveness registration', () => {
  it('lets admin and staff in for any student, not teachers or devices', () => {
    LivenessService.assertMayUse(user('admin'), 7);
    LivenessService.assertMayUse(user('staff'), 7);
    assert.throws(() => LivenessService.assertMayUse(user('teacher'), 7), ForbiddenError);
    assert.throws(() => LivenessService.assertMayUse({ kind: 'device', apiKeyId: 1, name: 'door', cameraId: null }, 7), ForbiddenError);
    assert.throws(() => LivenessService.assertMayUse(null, 7), ForbiddenError);
  });

  it('lets a scoped token in for its own student only, whatever the role it was issued by', () => {
    LivenessService.assertMayUse(user('staff', { scope: 'liveness', studentId: 7 }), 7);
    assert.throws(() => LivenessService.assertMayUse(user('staff', { scope: 'liveness', studentId: 7 }), 8), ForbiddenError);
    assert.throws(() => LivenessService.assertMayUse(user('admin', { scope: 'other', studentId: 7 }), 7), ForbiddenError);
  });
});
