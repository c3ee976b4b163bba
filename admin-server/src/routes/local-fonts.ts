import { createRequire } from 'node:module';
import path from 'node:path';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';

/** Where the panel's font is served from: this server, so no page makes a request to a third party. */
export const FONTS_PATH = '/fonts';
const GOOGLE_FONTS = /<link[^>]*fonts\.googleapis\.com[^>]*>/g;
const LOCAL = `<link rel="stylesheet" href="${FONTS_PATH}/roboto.css" type="text/css">`;
const WEIGHTS = [300, 400, 500, 700];

/**
 * AdminJS's page templates link Roboto from Google Fonts, which tells a third party about every page
 * view (a privacy problem for EU schools). This serves Roboto from the @fontsource package and rewrites
 * that link in every HTML page to point here.
 */
export function localFonts(): Router {
  const dir = path.join(path.dirname(createRequire(import.meta.url).resolve('@fontsource/roboto/package.json')), 'files');
  const css = WEIGHTS.map((w) => `@font-face{font-family:'Roboto';font-style:normal;font-display:swap;font-weight:${w};src:url(${FONTS_PATH}/roboto-latin-${w}-normal.woff2) format('woff2'),url(${FONTS_PATH}/roboto-latin-${w}-normal.woff) format('woff');}`).join('\n');
  const r = express.Router();
  r.get(`${FONTS_PATH}/roboto.css`, (_req, res) => { res.type('text/css').set('cache-control', 'public, max-age=86400').send(css); });
  r.use(FONTS_PATH, express.static(dir, { maxAge: '7d', index: false }));
  r.use((_req: Request, res: Response, next: NextFunction) => {
    const send = res.send.bind(res);
    res.send = (body?: unknown) => send(typeof body === 'string' && body.includes('fonts.googleapis.com') ? body.replace(GOOGLE_FONTS, LOCAL) : body);
    next();
  });
  return r;
}
