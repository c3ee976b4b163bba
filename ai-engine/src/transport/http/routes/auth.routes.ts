import { z } from 'zod';
import type { AuthService } from '../../../auth/auth.service.js';
import type { HttpRouter } from '../router.js';

const Login = z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(256) });

export function authRoutes(router: HttpRouter, auth: AuthService): void {
  router.post('/api/v1/auth/login', { public: true, bodyLimit: 16 * 1024 }, async (ctx) => {
    const { username, password } = ctx.json(Login);
    return { body: await auth.login(username, password, ctx.ip) };
  });

  router.get('/api/v1/auth/me', {}, async (ctx) => ({ body: ctx.principal }));
}
