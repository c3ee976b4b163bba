// Layout checks for browser tests: what a user cannot reach on screen is as broken as what does not work.
import type { Page } from 'playwright-core';

/** The widths the panel is checked at: a large laptop, a small laptop (1280×800) and a phone. */
export const WIDTHS = [
  { name: 'desktop', width: 1440, height: 900 },
  { name: 'laptop', width: 1280, height: 800 },
  { name: 'phone', width: 390, height: 844 },
] as const;

export interface Offender { what: string; text: string; left: number; right: number; clippedBy: string }

/**
 * Every visible action (button, link-button, menu summary) of the page header and main content, and every
 * table header cell, that lies (partly) outside the viewport or is cut by an ancestor that hides overflow.
 * Content inside a horizontally scrollable box counts as reachable only for table cells (a wide table may
 * scroll sideways); an action must be visible without scrolling sideways. Returns [] when all is in view.
 */
export function offscreen(page: Page): Promise<Offender[]> {
  return page.evaluate(OFFSCREEN) as Promise<Offender[]>;
}

// Plain JavaScript in a string: tsx would wrap functions written here in helpers the page does not have.
const OFFSCREEN = `(() => {
  const vw = document.documentElement.clientWidth;
  const out = [];
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    const s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none';
  };
  const check = (el, what, scrollOk) => {
    // The closed filter drawer waits off-canvas by design; it slides in when asked for.
    if (!visible(el) || el.closest('[data-css$=filter-drawer]')) return;
    const r = el.getBoundingClientRect();
    const text = (el.innerText || '').trim().slice(0, 40) || el.getAttribute('data-testid') || el.tagName;
    let clippedBy = '';
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      const ox = getComputedStyle(a).overflowX;
      if (ox === 'visible') continue;
      const scrolls = (ox === 'auto' || ox === 'scroll') && a.scrollWidth > a.clientWidth;
      if (scrolls && scrollOk) return; // reachable by scrolling that box sideways
      const b = a.getBoundingClientRect();
      if (r.left < b.left - 1 || r.right > b.right + 1) { clippedBy = (a.tagName.toLowerCase() + '.' + a.className).slice(0, 60); break; }
    }
    if (!clippedBy && (r.left < -1 || r.right > vw + 1)) clippedBy = 'viewport';
    if (clippedBy) out.push({ what, text, left: Math.round(r.left), right: Math.round(r.right), clippedBy });
  };
  const root = document.querySelector('[data-css=app-content]') ?? document.body;
  root.querySelectorAll('button, a[data-testid^=action-], [data-testid=page-actions] a, summary, input, select').forEach((el) => check(el, 'action', false));
  root.querySelectorAll('th').forEach((el) => check(el, 'column', true));
  return out;
})()`;

/** Fails with a readable list when anything is off-screen. */
export async function assertAllInView(page: Page, label: string): Promise<void> {
  const bad = await offscreen(page);
  if (bad.length) throw new Error(`${label}: ${bad.length} element(s) off-screen or clipped:\n${bad.map((b) => `  ${b.what} "${b.text}" x=${b.left}..${b.right} (${b.clippedBy})`).join('\n')}`);
}
