import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openServeSession, type ServeSession } from '../../src/commands/serve-session.ts';
import { parseConfig } from '../../src/config.ts';
import { createOutput } from '../../src/redaction/output.ts';
import { createWorkspace, FAST_CONFIG, type Workspace } from './harness.ts';

/**
 * The dashboard in real headless Chromium (Debian's, driven by playwright-core) against
 * `call-agent serve --mock-providers` in process: the token asked once, the mock TTS broken
 * (its card turns OPEN) and healed (CLOSED again), a contact named like HTML shown as text.
 * Skipped with a notice when Chromium is not installed, unless REQUIRE_CHROMIUM=1 (CI).
 */
const CHROMIUM = '/usr/bin/chromium';
const TOKEN = 'dashboard-e2e-token-3f7a1b';
const XSS_NAME = '<img src=x onerror=alert(1)>';
/** Where the screenshot is kept (a test artifact; the README's copy is docs/dashboard.png). */
const ARTIFACTS = fileURLToPath(new URL('../../test-results/', import.meta.url));

const available = existsSync(CHROMIUM);
if (!available && process.env.REQUIRE_CHROMIUM !== '1') {
  console.warn(`NOTICE: ${CHROMIUM} not found: the dashboard's browser test is skipped`);
}

describe.skipIf(!available && process.env.REQUIRE_CHROMIUM !== '1')(
  'the dashboard in Chromium',
  () => {
    let ws: Workspace;
    let session: ServeSession;
    let browser: Browser;
    let base: string;

    beforeAll(async () => {
      if (!available) throw new Error(`REQUIRE_CHROMIUM=1 but ${CHROMIUM} is not installed`);
      ws = await createWorkspace();
      session = await openServeSession({
        config: parseConfig({ ...FAST_CONFIG, health_check: { interval: 0.3, timeout: 1 } }),
        env: {},
        store: { queue: 'sqlite', db: ws.path('queue.db') },
        concurrency: 2,
        logFormat: 'json',
        output: createOutput({ stdout: { write: () => true }, stderr: { write: () => true } }),
        mockProviders: true,
        token: TOKEN,
        loopbackOnly: false,
        timelineStepMs: 500,
      });
      await session.app.listen({ host: '127.0.0.1', port: 0 });
      const address = session.app.server.address();
      base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
        ],
      });
    }, 30_000);

    afterAll(async () => {
      await browser?.close();
      await session?.shutdown();
      await ws?.cleanup();
    });

    const post = async (contacts: Array<{ name: string; phone: string }>) => {
      const response = await fetch(`${base}/calls`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify(contacts),
      });
      expect(response.status).toBe(200);
    };
    const card = (page: Page, service: string) => page.locator(`.card[data-service="${service}"]`);
    /** The ids of the events in the feed. */
    const feedIds = (page: Page) =>
      page
        .locator('#feed li[data-id]')
        .evaluateAll((items) => items.map((item) => item.getAttribute('data-id')!));

    it('break the mock TTS: OPEN; heal it: CLOSED; HTML in a name is text; a cut stream resumes without a gap', async () => {
      const page = await browser.newPage({ viewport: { width: 1280, height: 1500 } });
      const dialogs: string[] = [];
      page.on('dialog', (dialog) => {
        dialogs.push(dialog.message());
        void dialog.dismiss();
      });
      const pageErrors: string[] = [];
      page.on('pageerror', (error) => pageErrors.push(error.message));

      await page.goto(`${base}/`);
      // the token is asked once, and kept for the tab
      await page.locator('#token').fill(TOKEN);
      await page.locator('#token-form button[type="submit"]').click();
      await expect.poll(() => card(page, 'ElevenLabs').getAttribute('data-state')).toBe('CLOSED');
      await expect.poll(() => page.locator('#stream-state').textContent()).toBe('live');

      await post([
        { name: XSS_NAME, phone: '+14155550901' },
        { name: 'Grace Hopper', phone: '+14155550902' },
      ]);
      const xssRow = page.locator('#contacts tbody tr', { hasText: 'onerror' });
      await expect.poll(() => xssRow.locator('td.name').textContent()).toBe(XSS_NAME);
      expect(await page.locator('#contacts img').count()).toBe(0);
      await expect.poll(() => xssRow.getAttribute('data-state')).toBe('completed');

      await page.locator('[data-provider="elevenlabs"] button[data-action="break"]').click();
      await expect
        .poll(() => page.locator('[data-provider="elevenlabs"] .status').textContent())
        .toBe('broken (503)');
      await post(
        Array.from({ length: 4 }, (_, i) => ({
          name: `Waiting ${i + 1}`,
          phone: `+1415555091${i}`,
        })),
      );
      await expect
        .poll(() => card(page, 'ElevenLabs').getAttribute('data-state'), { timeout: 10_000 })
        .toBe('OPEN');
      await expect
        .poll(() => page.locator('#feed li[data-event="circuit_state_changed"]').count())
        .toBeGreaterThan(0);
      await expect.poll(() => page.locator('[data-count="deferred"]').textContent()).not.toBe('0');
      await page.waitForTimeout(2_100); // a timeline sample or two on the chart
      await mkdir(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: `${ARTIFACTS}dashboard.png`, fullPage: true });

      await page.locator('[data-provider="elevenlabs"] button[data-action="heal"]').click();
      await expect
        .poll(() => card(page, 'ElevenLabs').getAttribute('data-state'), { timeout: 10_000 })
        .toBe('CLOSED');
      await expect
        .poll(() => page.locator('[data-count="completed"]').textContent(), { timeout: 10_000 })
        .toBe('6');

      // the event stream is cut: the page reconnects with Last-Event-ID and misses nothing
      const before = await feedIds(page);
      session.app.server.closeAllConnections();
      await expect.poll(() => page.locator('#stream-state').textContent()).toBe('reconnecting…');
      await post([{ name: 'Posted while away', phone: '+14155550920' }]);
      // it waits the server's retry time (2 s) before reconnecting
      await expect
        .poll(() => page.locator('#stream-state').textContent(), { timeout: 5_000 })
        .toBe('live');
      await expect
        .poll(() => page.locator('#feed li[data-event="contact_completed"]').count(), {
          timeout: 5_000,
        })
        .toBeGreaterThan(6);
      const after = await feedIds(page);
      expect(after.length).toBeGreaterThan(before.length);
      // one run, every id once, none missing between the first and the last shown
      expect(new Set(after.map((id) => id.split('-')[0])).size).toBe(1);
      const numbers = after.map((id) => Number(id.split('-')[1])).sort((a, b) => a - b);
      expect(numbers).toEqual(numbers.map((_, i) => numbers[0]! + i));
      expect(await page.locator('#feed li.gap').count()).toBe(0);

      expect(dialogs).toEqual([]);
      expect(pageErrors).toEqual([]);
      await page.close();
    }, 60_000);
  },
);
