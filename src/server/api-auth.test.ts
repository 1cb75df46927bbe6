import { describe, expect, it } from 'vitest';
import { bearerMatches } from './auth.ts';
import { TOKEN, useServe } from './serve-harness.test-support.ts';

const serve = useServe();

describe('auth: a bearer token (API_TOKEN)', () => {
  it.each([
    ['no token', undefined, 'this route wants the API_TOKEN in an Authorization header'],
    ['a wrong token', `Bearer ${TOKEN}x`, 'the token is not the one API_TOKEN sets'],
    ['a token without Bearer', TOKEN, 'the token is not the one API_TOKEN sets'],
  ])('%s: 401, nothing done', async (_what, authorization, message) => {
    const h = await serve({ paused: true });
    for (const [method, url] of [
      ['GET', '/calls'],
      ['POST', '/campaign/pause'],
      ['GET', '/services'],
      ['GET', '/events'],
      ['GET', '/metrics'],
      ['GET', '/no/such/route'],
    ] as const) {
      const response = await h.request({
        method,
        url,
        auth: false,
        headers: authorization === undefined ? {} : { authorization },
      });
      expect(response.statusCode, `${method} ${url}`).toBe(401);
      expect(response.headers['www-authenticate']).toBe('Bearer');
      expect(response.json()).toEqual({ error: 'unauthorized', message });
    }
    expect(h.session.campaign.paused).toBe(true);
  });

  it('the right token: the route answers', async () => {
    const h = await serve({ paused: true });
    const response = await h.request({ method: 'GET', url: '/calls' });
    expect(response.statusCode).toBe(200);
  });

  it('the health endpoints and the page ask no token', async () => {
    const h = await serve({ paused: true });
    for (const url of [
      '/livez',
      '/readyz',
      '/health',
      '/',
      '/dashboard/app.js',
      '/vendor/uplot.esm.js',
    ]) {
      const response = await h.request({ method: 'GET', url, auth: false });
      expect(response.statusCode, url).toBe(200);
    }
  });

  it('compares whole tokens only', () => {
    expect(bearerMatches(`Bearer ${TOKEN}`, TOKEN)).toBe(true);
    expect(bearerMatches(`bearer   ${TOKEN} `, TOKEN)).toBe(true);
    expect(bearerMatches(`Bearer ${TOKEN.slice(0, -1)}`, TOKEN)).toBe(false);
    expect(bearerMatches('Bearer ', TOKEN)).toBe(false);
    expect(bearerMatches(undefined, TOKEN)).toBe(false);
    expect(bearerMatches(`Basic ${TOKEN}`, TOKEN)).toBe(false);
  });
});

describe('without a token (loopback only)', () => {
  it('answers without a token on a loopback name, refuses any other Host (DNS rebinding)', async () => {
    const h = await serve({ paused: true, token: null });
    const local = await h.request({
      method: 'GET',
      url: '/calls',
      headers: { host: 'localhost:8080' },
    });
    expect(local.statusCode).toBe(200);
    const rebound = await h.request({
      method: 'GET',
      url: '/calls',
      headers: { host: 'evil.example:8080' },
    });
    expect(rebound.statusCode).toBe(403);
    expect(rebound.json()).toMatchObject({ error: 'forbidden' });
  });

  it('refuses a change posted from another origin (CSRF); takes one from its own page', async () => {
    const h = await serve({ paused: true, token: null });
    const forged = await h.request({
      method: 'POST',
      url: '/campaign/resume',
      headers: { origin: 'https://evil.example' },
    });
    expect(forged.statusCode).toBe(403);
    expect(h.session.campaign.paused).toBe(true);
    const own = await h.request({
      method: 'POST',
      url: '/campaign/resume',
      headers: { origin: 'http://127.0.0.1:8080' },
    });
    expect(own.statusCode).toBe(200);
    expect(h.session.campaign.paused).toBe(false);
  });
});

describe('security headers', () => {
  it('the page: a CSP without inline script, no framing, no sniffing, no referrer', async () => {
    const h = await serve({ paused: true });
    const page = await h.request({ method: 'GET', url: '/', auth: false });
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(page.headers).toMatchObject({
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
    });
    // and the page itself holds no inline script or handler
    expect(page.body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+=/i);
  });

  it('on API answers and errors too', async () => {
    const h = await serve({ paused: true });
    for (const response of [
      await h.request({ method: 'GET', url: '/calls' }),
      await h.request({ method: 'GET', url: '/calls', auth: false }),
    ]) {
      expect(response.headers['content-security-policy']).toBeDefined();
      expect(response.headers['x-content-type-options']).toBe('nosniff');
    }
  });
});
