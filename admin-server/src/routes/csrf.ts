import type { NextFunction, Request, Response } from 'express';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * CSRF protection for the routes a session cookie authenticates (the panel, AdminJS, the login form),
 * beyond SameSite=Lax: a state-changing request must come from this site. Browsers send
 * `Sec-Fetch-Site` and `Origin` on every cross-site POST and a page cannot forge either, so a request
 * that says it comes from another site is refused. One with neither header is not from a browser (a
 * script holding the cookie needs no forgery) and passes; a `Referer`, if present, must still match.
 */
export function sameSiteWrites() {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (SAFE_METHODS.has(req.method)) return next();
    const host = req.get('host') ?? '';
    const site = req.get('sec-fetch-site');
    const from = req.get('origin') ?? req.get('referer');
    const crossSite = (site !== undefined && site !== 'same-origin' && site !== 'none') || (from !== undefined && hostOf(from) !== host);
    if (!crossSite) return next();
    res.status(403).json({ error: 'forbidden', message: 'cross-site request refused (CSRF protection): use the panel itself' });
  };
}

function hostOf(url: string): string | null {
  try {
    return new URL(url).host;
  } catch {
    return null; // `Origin: null` (sandboxed frame, file://) or garbage: not this site
  }
}
