/** Logs in through the AdminJS form with fetch and returns the session cookie (`name=value`). */
export async function loginCookie(baseUrl: string, username: string, password: string): Promise<{ status: number; cookie: string | null; location: string | null }> {
  const res = await fetch(`${baseUrl}/admin/login`, { method: 'POST', body: new URLSearchParams({ email: username, password }), redirect: 'manual', signal: AbortSignal.timeout(15_000) });
  await res.arrayBuffer();
  const setCookie = res.headers.get('set-cookie');
  return { status: res.status, cookie: res.status === 302 && setCookie ? setCookie.split(';')[0] : null, location: res.headers.get('location') };
}

export function withCookie(cookie: string) {
  // A stuck request fails the test in seconds instead of at the runner's timeout.
  return (url: string, init: RequestInit = {}) => fetch(url, { signal: AbortSignal.timeout(15_000), ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), cookie } });
}
