import { AppError } from '@attendance/shared';

/** The engine's JSON contract, as the admin server uses it (all routes under /api/v1 but health). */
export interface EnrollResult { student_id: number; templates: number; rejected: { index: number; reasons: string[] }[] }
/** `engine`: the engine holding the camera's lease, i.e. running it (null: none). */
export interface DetectionStatus { cameras: { camera_id: number; state: string; detail: string | null; engine?: string | null }[] }

/** The engine answered with an error (`{error, message, details?}`); `status` is its HTTP status. */
export class EngineError extends AppError {
  constructor(message: string, status: number, code: string, details?: unknown) {
    super(message, `engine_${code}`, status >= 500 ? 502 : status, details);
  }
}

/** Nothing answered: the engine is down or unreachable. Nothing was changed. */
export class EngineUnavailableError extends AppError {
  constructor(cause: unknown) {
    super('the AI engine is not reachable; nothing was changed, try again when it is running', 'engine_unavailable', 503, undefined, { cause });
  }
}

export interface EngineClientOptions {
  baseUrl: string;
  /** Engine calls are interactive: a stuck engine should fail the click, not hang it. */
  timeoutMs?: number;
  fetchImpl?: typeof fetch;
}

/** Typed HTTP client for the AI engine. Each call carries the acting user's short-lived engine token. */
export class EngineClient {
  private readonly base: string;
  private readonly timeoutMs: number;
  private readonly fetchImpl: typeof fetch;

  constructor(opts: EngineClientOptions) {
    this.base = opts.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.fetchImpl = opts.fetchImpl ?? fetch;
  }

  async health(): Promise<boolean> {
    try {
      const res = await this.fetchImpl(`${this.base}/health`, { signal: AbortSignal.timeout(3000) });
      return res.ok;
    } catch (err) {
      if (err instanceof Error) return false; // refused, reset or timed out: all mean "not up"
      throw err;
    }
  }

  enroll(token: string, studentId: number, photos: string[]): Promise<EnrollResult> {
    return this.call(token, 'POST', '/api/v1/enroll', { student_id: studentId, photos });
  }

  startDetection(token: string, cameraId: number): Promise<unknown> {
    return this.call(token, 'POST', '/api/v1/detection/start', { camera_id: cameraId });
  }

  stopDetection(token: string, cameraId: number): Promise<unknown> {
    return this.call(token, 'POST', '/api/v1/detection/stop', { camera_id: cameraId });
  }

  /** Read while a page renders: a slow engine must not hold the page up for long. */
  detectionStatus(token: string, timeoutMs = 2000): Promise<DetectionStatus> {
    return this.call(token, 'GET', '/api/v1/detection/status', undefined, timeoutMs);
  }

  private async call<T>(token: string, method: 'GET' | 'POST', path: string, body?: unknown, timeoutMs = this.timeoutMs): Promise<T> {
    let res: Response;
    try {
      res = await this.fetchImpl(`${this.base}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw new EngineUnavailableError(err);
    }
    const text = await res.text();
    let json: unknown = null;
    if (text) {
      try {
        json = JSON.parse(text);
      } catch (err) {
        throw new EngineError(`engine answered ${res.status} with non-JSON`, res.ok ? 502 : res.status, 'bad_response', { cause: String(err) });
      }
    }
    if (!res.ok) {
      const e = (json ?? {}) as { error?: string; message?: string; details?: unknown };
      throw new EngineError(e.message ?? `engine answered ${res.status}`, res.status, e.error ?? 'error', e.details);
    }
    return json as T;
  }
}
