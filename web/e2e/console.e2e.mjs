// The console end to end, in Debian's Chromium driven by playwright-core, against real servers and
// the real Docker engine. ConsoleBrowserIT starts the servers and runs this; it can also run by hand:
//
//   SIGNIN_URL=http://127.0.0.1:8080/#token=… [USERS_URL=… ALICE_TOKEN=… BOB_TOKEN=…] node e2e/console.e2e.mjs
//
// SIGNIN_URL is the address a server printed at its first start (an admin). USERS_URL is a second
// server whose tokens file has the users alice and bob. Screenshots go to SCREENSHOT_DIR, measurements
// to RESULTS_FILE (JSON). Every lease this creates is released or expires before it ends.
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

const SIGNIN_URL = required('SIGNIN_URL');
const BASE = new URL(SIGNIN_URL).origin;
const ADMIN_TOKEN = decodeURIComponent(new URL(SIGNIN_URL).hash.replace(/^#token=/, ''));
const SHOTS = process.env.SCREENSHOT_DIR ?? 'e2e-screenshots';
const RESULTS = process.env.RESULTS_FILE;
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
mkdirSync(SHOTS, { recursive: true });

const results = {};
const DESKTOP = { width: 1280, height: 800 };
const NARROW = { width: 375, height: 812 };

/** The scale: a thousand live leases in one list, every countdown moving each second. */
const MANY_LEASES = 1000;

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  // Without the networking flags Chromium keeps calling home, which this closed network refuses.
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
});

try {
  await step('sign in through the printed URL, provision, use the terminal', consoleAsAdmin);
  await step('files: browse, upload by picking and dropping, download, make a folder, delete', filesTab);
  await step('preview: the web app inside a lease, on its own origin, for its link alone', previewInBrowser);
  if (process.env.WS_ECHO) await step('preview: a WebSocket inside a lease echoes in the browser', previewWebSocket);
  await step('first load stays within the JavaScript budget', firstLoadBudget);
  await step('from Provision to a prompt, against the API alone', provisionToPrompt);
  await step('1,000 leases count down without dropped frames', aThousandLeases);
  if (process.env.USERS_URL) await step('a second user sees none of the first user’s leases', twoUsers);
} finally {
  await browser.close();
  if (RESULTS) writeFileSync(RESULTS, JSON.stringify(results, null, 2));
  console.log('results:', JSON.stringify(results));
}

async function consoleAsAdmin() {
  const context = await newContext('light', DESKTOP);
  const page = await context.newPage();
  await page.goto(SIGNIN_URL);
  await page.getByTestId('user').waitFor();
  assert.equal(await page.getByTestId('user').textContent(), 'admin');
  assert.ok(!page.url().includes('token='), `the token must leave the address bar: ${page.url()}`);

  const clicked = Date.now();
  await page.getByRole('button', { name: 'Provision', exact: true }).click();
  await page.waitForURL(/\/leases\/[0-9a-z]{26}$/);
  const leaseId = page.url().split('/').pop();
  await waitForTerminal(page, (text) => /\/ # *$/m.test(text), 15_000, 5);
  // The server's first terminal ever: its code paths are not warm yet (reported, not the budget's figure).
  results.coldProvisionToPromptMs = Date.now() - clicked;

  // Its usage, measured while the page looks.
  await page.getByTestId('usage').filter({ hasText: /CPU [\d.]+% · Memory/ }).waitFor({ timeout: 10_000 });

  await typeLine(page, 'echo $((6*7))');
  await waitForTerminal(page, (text) => lines(text).includes('42'));

  // The shell learns the panel's size, and again after the window changes.
  await checkSize(page, 'SIZE1');
  const terminal = page.locator('.tab-panel:not([hidden]) [data-testid=terminal]');
  const before = await terminal.getAttribute('data-size');
  await page.setViewportSize({ width: 900, height: 620 });
  await page.waitForFunction((old) => document.querySelector('.tab-panel:not([hidden]) [data-testid=terminal]')
    ?.getAttribute('data-size') !== old, before);
  await checkSize(page, 'SIZE2');
  await page.setViewportSize(DESKTOP);

  // A reload shows the same shell (same process), its output once, not twice.
  await typeLine(page, 'echo PID:$$; echo before-reload-mark');
  const pid = (await waitForTerminal(page, (text) => /^PID:\d+/m.test(text))).match(/^PID:(\d+)/m)[1];
  await waitForTerminal(page, (text) => lines(text).includes('before-reload-mark'));
  await page.reload();
  const replayed = await waitForTerminal(page, (text) => lines(text).includes('before-reload-mark'));
  await page.waitForTimeout(500); // anything doubled would arrive by now
  const afterReload = await terminalText(page);
  assert.equal(count(lines(afterReload), 'before-reload-mark'), 1, `output doubled after reload:\n${afterReload}`);
  assert.ok(replayed.includes(`PID:${pid}`));
  await typeLine(page, 'echo PID-AGAIN:$$');
  const again = (await waitForTerminal(page, (text) => /^PID-AGAIN:\d+/m.test(text))).match(/^PID-AGAIN:(\d+)/m)[1];
  assert.equal(again, pid, 'the reloaded page must show the same shell');
  // A blip: the connection drops; the terminal comes back by itself, same shell, nothing doubled.
  await typeLine(page, 'echo before-blip-mark');
  await waitForTerminal(page, (text) => lines(text).includes('before-blip-mark'));
  await cutSockets(page, '/ws/terminal/');
  await page.locator('.dot-open').waitFor();
  await page.waitForTimeout(200); // the session message that follows the reopen
  await typeLine(page, 'echo PID-AFTER-BLIP:$$');
  const afterBlip = await waitForTerminal(page, (text) => /^PID-AFTER-BLIP:\d+/m.test(text));
  assert.equal(afterBlip.match(/^PID-AFTER-BLIP:(\d+)/m)[1], pid, 'the terminal must come back to the same shell');
  assert.equal(count(lines(afterBlip), 'before-blip-mark'), 1, `output doubled after a blip:\n${afterBlip}`);

  await typeLine(page, 'clear; ls /; echo "leased for a while"');
  await waitForTerminal(page, (text) => lines(text).includes('leased for a while'));
  await shot(page, 'terminal-light-desktop');

  // Extend moves the countdown by about the grant.
  const left = await secondsLeft(page);
  await page.getByRole('button', { name: '+15 min' }).click();
  await page.getByText(/^Extended to/).waitFor();
  const extended = await secondsLeft(page);
  assert.ok(extended - left > 14 * 60 && extended - left < 16 * 60, `countdown moved from ${left} s to ${extended} s`);

  // Stop asks first (a shell is open), the terminal says who stopped it, and Start brings a new shell.
  await page.getByRole('button', { name: 'Stop', exact: true }).click();
  await page.getByRole('button', { name: 'Stop anyway' }).click();
  await page.getByTestId('container-state').filter({ hasText: 'stopped' }).waitFor();
  await page.getByTestId('terminal-banner').filter({ hasText: 'you stopped the container' }).waitFor();
  await shot(page, 'stopped-light-desktop');
  await page.getByRole('button', { name: 'Start', exact: true }).click();
  await page.getByTestId('container-state').filter({ hasText: 'running' }).waitFor();
  await waitForTerminal(page, (text) => /\/ # *$/m.test(text), 15_000);
  await typeLine(page, 'echo started-again-mark');
  await waitForTerminal(page, (text) => lines(text).includes('started-again-mark'));
  assert.equal(await page.getByText(/^Extended to/).count(), 0, 'an old note about the extension is gone by now');
  await shot(page, 'started-again-light-desktop');
  await typeLine(page, 'clear; ls /; echo "leased for a while"');
  await waitForTerminal(page, (text) => lines(text).includes('leased for a while'));

  // A lease whose idle end comes first: the big countdown counts to it and says so.
  const idler = await api('POST', '/api/provision', { imageType: 'busybox', durationMinutes: 30, idleTimeoutSeconds: 120 });
  // Its usage is held back, to see the chart before its first figures.
  await page.route('**/stats', () => {});
  await page.goto(`${BASE}/leases/${idler.id}`);
  await page.getByTestId('usage').filter({ hasText: /^No data yet/ }).waitFor();
  const idleCountdown = page.getByTestId('countdown');
  await idleCountdown.and(page.locator('[data-reason=idle]')).waitFor();
  assert.match(await page.locator('.next-end').textContent(), /until it ends for being idle/);
  assert.ok(await secondsLeft(page) <= 120, 'the big figure is the idle end, not the expiry');
  await shot(page, 'idle-first-light-desktop');
  await page.unroute('**/stats');
  await api('DELETE', `/api/containers/${idler.id}`);
  await page.goto(`${BASE}/leases/${leaseId}`);
  await waitForTerminal(page, (text) => lines(text).includes('leased for a while'));

  // Logs of a chatty container: both levels, live.
  await page.getByRole('link', { name: 'All leases' }).click();
  await page.getByLabel('Image type').selectOption('ticker');
  await page.getByText('5 min', { exact: true }).click();
  await page.getByRole('button', { name: 'Provision', exact: true }).click();
  await page.waitForURL((url) => /\/leases\/[0-9a-z]{26}$/.test(url.pathname) && !url.pathname.endsWith(leaseId));
  const tickerId = page.url().split('/').pop();
  await page.getByRole('tab', { name: 'Logs' }).click();
  await page.locator('.log-row.stream-stdout', { hasText: 'tick' }).first().waitFor();
  // 'warning: …' on stderr is a warning, as the line says, not an error for being on stderr.
  await page.locator('.log-row.level-warn.stream-stderr', { hasText: 'warning' }).first().waitFor({ timeout: 15_000 });
  assert.equal(await page.locator('.log-row.level-error').count(), 0, 'no line of the ticker says it is an error');
  // The followed tail is in sight at 1280×800, inside the log view.
  const tail = await page.locator('.log-scroller').boundingBox();
  assert.ok(tail.y + tail.height <= page.viewportSize().height, `the log view ends below the window: ${JSON.stringify(tail)}`);
  // A blip on the log stream: it resumes after the last line it holds, with no line twice or missing.
  await page.locator('.log-row', { hasText: /tick [3-9]/ }).first().waitFor();
  await cutSockets(page, '/ws/logs/');
  await page.waitForTimeout(2500);
  const ticks = (await page.locator('.log-row.stream-stdout .log-message').allTextContents())
    .map((t) => Number(t.replace('tick ', '')));
  assert.deepEqual(ticks, ticks.map((_, i) => ticks[0] + i), `log lines after a reconnect: ${ticks}`);
  assert.equal(await page.locator('.log-marker').count(), 0, 'no gap after a resume');
  await shot(page, 'logs-light-desktop');
  await page.getByRole('button', { name: 'Release' }).click();
  await page.getByRole('button', { name: 'Yes, release' }).click();
  await page.waitForURL(`${BASE}/`);
  await expectEnded(tickerId, 'released');

  // The list follows changes made elsewhere (another tab, a script) by the event channel.
  const elsewhere = await api('POST', '/api/provision', { imageType: 'busybox', durationSeconds: 300 });
  const elsewhereRow = page.locator(`[data-lease-id="${elsewhere.id}"]`);
  await elsewhereRow.waitFor({ timeout: 2000 });
  await api('POST', `/api/containers/${elsewhere.id}/pause`);
  await elsewhereRow.getByTestId('container-state').filter({ hasText: 'paused' }).waitFor({ timeout: 2000 });
  await api('DELETE', `/api/containers/${elsewhere.id}`);
  await elsewhereRow.waitFor({ state: 'detached', timeout: 2000 });

  // The list, light and dark, wide and narrow.
  await page.locator(`[data-lease-id="${leaseId}"]`).waitFor();
  await shot(page, 'leases-light-desktop');
  await shotIn('dark', DESKTOP, '/', 'leases-dark-desktop');
  await shotIn('light', NARROW, '/', 'leases-light-narrow');
  await shotIn('dark', NARROW, `/leases/${leaseId}`, 'terminal-dark-narrow', async (p) => {
    // xterm.js draws nothing while it is out of sight: on a phone the terminal is below the lease's head.
    await p.locator('[data-testid=terminal]').first().scrollIntoViewIfNeeded();
    await waitForTerminal(p, (text) => text.includes('leased for a while'));
  });

  // The container's own life, from its row: stop, then start again.
  const row = page.locator(`[data-lease-id="${leaseId}"]`);
  await row.getByRole('button', { name: 'Stop', exact: true }).click();
  const confirmStop = row.getByRole('button', { name: 'Stop anyway' });
  if (await confirmStop.isVisible()) await confirmStop.click(); // asked when a shell is still connected
  await row.getByTestId('container-state').filter({ hasText: 'stopped' }).waitFor();
  await row.getByRole('button', { name: 'Start', exact: true }).click();
  await row.getByTestId('container-state').filter({ hasText: 'running' }).waitFor();

  // Release from the list removes the lease (and its container: the test around this checks the engine).
  await row.getByRole('button', { name: 'Release' }).click();
  await row.getByRole('button', { name: 'Yes, release' }).click();
  await row.waitFor({ state: 'detached' });
  await expectEnded(leaseId, 'released');

  // A 20-second lease warns before its end, then says it ended and why.
  await page.getByText('Custom', { exact: true }).click();
  await page.getByLabel('Custom duration').fill('20');
  await page.getByLabel('Unit').selectOption('seconds');
  await page.getByRole('button', { name: 'Provision', exact: true }).click();
  await page.waitForURL(/\/leases\/[0-9a-z]{26}$/);
  const shortId = page.url().split('/').pop();
  await waitForTerminal(page, (text) => /\/ # *$/m.test(text));
  await page.getByTestId('expiring-banner').filter({ hasText: /This lease expires in/ }).waitFor({ timeout: 25_000 });
  // The server's own warning is read out to screen readers too.
  await page.getByTestId('announcer').filter({ hasText: /ends in/ }).waitFor({ timeout: 25_000 });
  await shot(page, 'expiring-light-desktop');
  await page.getByTestId('end-reason').waitFor({ timeout: 25_000 });
  assert.match(await page.getByTestId('end-reason').textContent(), /Expired/);
  await expectEnded(shortId, 'expired');

  // The activity page shows what was done.
  await page.getByRole('link', { name: 'Activity' }).click();
  await page.locator('table.activity td', { hasText: 'provision' }).first().waitFor();
  await shot(page, 'activity-light-desktop');

  // Signing out forgets the token.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByLabel('Token').waitFor();
  assert.equal(await page.evaluate(() => sessionStorage.getItem('containerlease.token')), null);
  await context.close();
}

async function filesTab() {
  const lease = await api('POST', '/api/provision', { imageType: 'busybox', durationSeconds: 300 });
  const context = await newContext('light', DESKTOP);
  const page = await context.newPage();
  await page.goto(`${BASE}/leases/${lease.id}#token=${encodeURIComponent(ADMIN_TOKEN)}`);
  await page.getByTestId('user').waitFor();
  await page.getByRole('tab', { name: 'Files' }).click();
  await page.getByTestId('file-row').first().waitFor();
  const field = page.getByLabel('Path in the container');
  await field.fill('/tmp');
  await field.press('Enter');
  await page.getByText('This folder is empty').waitFor();

  // Picked: 2 MiB of random bytes, which must come back byte for byte.
  const content = randomBytes(2 << 20);
  const picked = join(tmpdir(), `containerlease-e2e-${process.pid}-upload.bin`);
  writeFileSync(picked, content);
  await page.getByTestId('files-picker').setInputFiles(picked);
  await page.getByTestId('file-row').filter({ hasText: /upload\.bin/ }).waitFor();
  await page.locator('.transfer-done', { hasText: 'Uploading' }).waitFor();
  // Dropped onto the panel.
  const dropped = await page.evaluateHandle(() => {
    const transfer = new DataTransfer();
    transfer.items.add(new File(['dropped text'], 'dropped.txt', { type: 'text/plain' }));
    return transfer;
  });
  await page.getByTestId('files-panel').dispatchEvent('drop', { dataTransfer: dropped });
  await page.getByTestId('file-row').filter({ hasText: 'dropped.txt' }).waitFor();
  await page.getByRole('button', { name: 'New folder' }).click();
  await page.getByLabel('New folder in /tmp').fill('reports');
  await page.getByLabel('New folder in /tmp').press('Enter');
  await page.getByRole('button', { name: 'reports/' }).waitFor();

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: /^Download .*upload\.bin$/ }).click(),
  ]);
  assert.match(download.suggestedFilename(), /upload\.bin$/);
  assert.ok(readFileSync(await download.path()).equals(content), 'the download is the upload, byte for byte');
  await page.locator('.transfer-done', { hasText: 'Downloading' }).waitFor();
  await shot(page, 'files-light-desktop');

  await page.getByRole('button', { name: 'Delete dropped.txt' }).click();
  await page.getByRole('button', { name: 'Delete', exact: true }).click();
  await page.getByTestId('file-row').filter({ hasText: 'dropped.txt' }).waitFor({ state: 'detached' });
  const left = await api('GET', `/api/containers/${lease.id}/files/list?path=/tmp`);
  assert.deepEqual(left.entries.map((e) => e.name).sort(), ['reports', `containerlease-e2e-${process.pid}-upload.bin`].sort());
  await context.close();
  await shotIn('dark', NARROW, `/leases/${lease.id}`, 'files-dark-narrow', async (p) => {
    await p.getByRole('tab', { name: 'Files' }).click();
    await p.getByTestId('file-row').first().waitFor();
    await p.getByTestId('files-panel').scrollIntoViewIfNeeded();
  });
  await api('DELETE', `/api/containers/${lease.id}`);
}

async function previewInBrowser() {
  const lease = await api('POST', '/api/provision', { imageType: 'web', durationSeconds: 300 });
  const context = await newContext('light', DESKTOP);
  const page = await context.newPage();
  await page.goto(`${BASE}/leases/${lease.id}#token=${encodeURIComponent(ADMIN_TOKEN)}`);
  await page.getByTestId('user').waitFor();
  // From the lease page: a new tab, on the preview's own origin, with no way back to the console's tab.
  const [tab] = await Promise.all([
    context.waitForEvent('page'),
    page.getByRole('button', { name: 'Open web (8000)' }).click(),
  ]);
  await tab.waitForURL(/^http:\/\/8000-[0-9a-z]{26}\.localhost:\d+\/$/, { timeout: 15_000 });
  for (let i = 0; i < 20 && !(await tab.getByRole('heading', { name: 'Hello from a lease' }).isVisible()); i++) {
    await tab.waitForTimeout(500); // the app may still be starting: its page says "Nothing answers" until then
    await tab.reload();
  }
  await tab.getByRole('heading', { name: 'Hello from a lease' }).waitFor();
  assert.equal(await tab.evaluate(() => window.opener), null, 'the preview cannot reach the console tab');
  await shot(tab, 'preview-light-desktop');
  const origin = new URL(tab.url()).origin;
  assert.notEqual(origin, BASE);

  // The console's origin cannot read the preview, even with the browser's cookies.
  const fromConsole = await page.evaluate(async (o) => {
    try {
      const answer = await fetch(`${o}/`, { credentials: 'include' });
      return `read ${answer.status}: ${(await answer.text()).slice(0, 40)}`;
    } catch {
      return 'blocked';
    }
  }, origin);
  assert.equal(fromConsole, 'blocked');
  // Nor can the preview's page use the console's API as the signed-in user (its token is the console's own).
  const fromPreview = await tab.evaluate(async (base) => {
    try {
      return String((await fetch(`${base}/api/containers`, { credentials: 'include' })).status);
    } catch {
      return 'blocked';
    }
  }, BASE);
  assert.ok(fromPreview === 'blocked' || fromPreview === '401', `the preview reached the API: ${fromPreview}`);

  // Someone else's browser, with the address but not the link: the page that says where links come from.
  const stranger = await newContext('light', DESKTOP);
  const strangerPage = await stranger.newPage();
  const answer = await strangerPage.goto(`${origin}/`);
  assert.equal(answer.status(), 401);
  await strangerPage.getByRole('heading', { name: 'Open this preview from its link' }).waitFor();
  assert.equal(await strangerPage.getByText('Hello from a lease').count(), 0);
  await shot(strangerPage, 'preview-stranger-light-desktop');
  await stranger.close();
  await context.close();
  await api('DELETE', `/api/containers/${lease.id}`);
}

/** A WebSocket server inside a lease (our test program ws-echo, put in by the files API), used from its page. */
async function previewWebSocket() {
  const lease = await api('POST', '/api/provision', { imageType: 'busybox', durationSeconds: 300 });
  const program = readFileSync(process.env.WS_ECHO);
  const put = await fetch(`${BASE}/api/containers/${lease.id}/files?path=/tmp/bin&extract=true`, {
    method: 'PUT',
    headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/x-tar' },
    body: tarOf('ws-echo', program, 0o755),
  });
  assert.equal(put.status, 201, await put.text());
  // Started through the exec socket from a console page (a browser's WebSocket; its ticket from the API).
  const context = await newContext('light', DESKTOP);
  const page = await context.newPage();
  await page.goto(`${BASE}/leases/${lease.id}#token=${encodeURIComponent(ADMIN_TOKEN)}`);
  await page.getByTestId('user').waitFor();
  const { ticket } = await api('POST', '/api/ws-ticket');
  await page.evaluate(({ id, ticket: t }) => new Promise((resolve) => {
    const query = new URLSearchParams({ ticket: t });
    for (const part of ['sh', '-c', '/tmp/bin/ws-echo 9001 >/dev/null 2>&1 &']) query.append('command', part);
    const ws = new WebSocket(`${location.origin.replace(/^http/, 'ws')}/ws/exec/${id}?${query}`);
    ws.onclose = () => resolve();
  }), { id: lease.id, ticket });
  const link = await api('POST', `/api/containers/${lease.id}/previews`, { port: 9001 });
  const tab = await context.newPage();
  await tab.goto(link.url);
  await tab.getByRole('heading', { name: 'WebSocket echo' }).waitFor();
  await tab.locator('#echo', { hasText: 'echo: hello through the preview' }).waitFor({ timeout: 10_000 });
  await shot(tab, 'preview-websocket-light-desktop');
  await context.close();
  await api('DELETE', `/api/containers/${lease.id}`);
}

/** A tar of one file (ustar), as the files API unpacks it. */
function tarOf(name, bytes, mode) {
  const header = Buffer.alloc(512);
  header.write(name, 0);
  header.write(`${mode.toString(8).padStart(7, '0')}\0`, 100);
  header.write('0000000\0', 108);
  header.write('0000000\0', 116);
  header.write(`${bytes.length.toString(8).padStart(11, '0')}\0`, 124);
  header.write(`${Math.floor(Date.now() / 1000).toString(8).padStart(11, '0')}\0`, 136);
  header.write('        ', 148);
  header.write('0', 156);
  header.write('ustar\0', 257);
  header.write('00', 263);
  const sum = header.reduce((total, b) => total + b, 0);
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  const padding = Buffer.alloc((512 - (bytes.length % 512)) % 512);
  return Buffer.concat([header, bytes, padding, Buffer.alloc(1024)]);
}

async function firstLoadBudget() {
  const context = await newContext('light', DESKTOP);
  const page = await context.newPage();
  const scripts = [];
  page.on('requestfinished', async (request) => {
    if (request.resourceType() === 'script') {
      const sizes = await request.sizes();
      scripts.push({ url: request.url(), encodedBytes: sizes.responseBodySize });
    }
  });
  await page.goto(SIGNIN_URL);
  await page.getByText('Provision a container').waitFor();
  await page.waitForLoadState('networkidle');
  results.firstLoadScripts = scripts.map((s) => ({ file: s.url.replace(BASE, ''), gzipBytes: s.encodedBytes }));
  results.firstLoadGzipKB = round(scripts.reduce((sum, s) => sum + s.encodedBytes, 0) / 1024);
  assert.ok(scripts.every((s) => !s.url.includes('TerminalTabs')), 'xterm.js must not load before a terminal opens');
  await context.close();
}

/** The budget's figure: a warm server, the median of several runs, each against the API's own time. */
async function provisionToPrompt() {
  const context = await newContext('light', DESKTOP);
  const page = await context.newPage();
  await page.goto(SIGNIN_URL);
  const viaConsole = [];
  const api = [];
  for (let i = 0; i < 5; i++) {
    api.push(await apiProvisionMs());
    await page.getByText('Provision a container').waitFor();
    const clicked = Date.now();
    await page.getByRole('button', { name: 'Provision', exact: true }).click();
    await page.waitForURL(/\/leases\/[0-9a-z]{26}$/);
    await waitForTerminal(page, (text) => /\/ # *$/m.test(text), 15_000, 5);
    viaConsole.push(Date.now() - clicked);
    await page.getByRole('button', { name: 'Release' }).click();
    await page.getByRole('button', { name: 'Yes, release' }).click();
    await page.waitForURL(`${BASE}/`);
  }
  results.apiProvisionMs = median(api);
  results.provisionToPromptMs = median(viaConsole);
  results.provisionToPromptRatio = round(results.provisionToPromptMs / results.apiProvisionMs);
  await context.close();
}

async function aThousandLeases() {
  const context = await newContext('light', DESKTOP);
  const page = await context.newPage();
  // The browser's part alone: the list answers with made-up leases, so no engine is involved.
  const now = Date.now();
  const leases = Array.from({ length: MANY_LEASES }, (_, i) => ({
    id: `01m8${String(i).padStart(22, '0')}`, imageType: i % 2 ? 'busybox' : 'ticker', status: 'running',
    createdAt: new Date(now - 60_000).toISOString(), expiryTime: new Date(now + 120_000 + i * 1000).toISOString(),
    maxExpiryTime: new Date(now + 86_400_000).toISOString(), remainingSeconds: 120 + i, connections: i % 3,
    nextEnd: { reason: 'expired', at: new Date(now + 120_000 + i * 1000).toISOString() },
  }));
  await page.route('**/api/containers?*', (route) => route.fulfill({
    contentType: 'application/json',
    body: JSON.stringify({ containers: leases, nextCursor: null, serverTime: new Date().toISOString() }),
  }));
  await page.goto(SIGNIN_URL);
  await page.locator('[data-testid=lease-row]').nth(MANY_LEASES - 1).waitFor();
  const frames = await page.evaluate(() => new Promise((resolve) => {
    const gaps = [];
    let last = performance.now();
    const started = last;
    const tick = (t) => {
      gaps.push(t - last);
      last = t;
      if (t - started < 5000) requestAnimationFrame(tick);
      else resolve(gaps);
    };
    requestAnimationFrame(tick);
  }));
  frames.sort((a, b) => a - b);
  results.manyRows = {
    rows: MANY_LEASES,
    frames: frames.length,
    p50FrameMs: round(frames[Math.floor(frames.length * 0.5)]),
    p99FrameMs: round(frames[Math.floor(frames.length * 0.99)]),
    maxFrameMs: round(frames.at(-1)),
    // At 60 Hz a frame is 16.7 ms; one of 25 ms or more means at least one frame was missed.
    framesMissed: frames.filter((f) => f >= 25).length,
  };
  await context.close();
}

async function twoUsers() {
  const base = new URL(process.env.USERS_URL).origin;
  const alice = await (await newContext('light', DESKTOP)).newPage();
  await alice.goto(base);
  await alice.getByLabel('Token').fill('not-a-valid-token-at-all');
  await alice.getByRole('button', { name: 'Sign in' }).click();
  await alice.getByText(/That token is not valid/).waitFor();
  await shot(alice, 'sign-in-light-desktop');
  await alice.getByLabel('Token').fill(required('ALICE_TOKEN'));
  await alice.getByRole('button', { name: 'Sign in' }).click();
  await alice.getByTestId('user').waitFor();
  await alice.getByRole('button', { name: 'Provision', exact: true }).click();
  await alice.waitForURL(/\/leases\/[0-9a-z]{26}$/);
  const aliceLease = alice.url().split('/').pop();

  const bob = await (await newContext('light', DESKTOP)).newPage();
  await bob.goto(base);
  await bob.getByLabel('Token').fill(required('BOB_TOKEN'));
  await bob.getByRole('button', { name: 'Sign in' }).click();
  await bob.getByText(/No leases yet/).waitFor();
  await bob.goto(`${base}/leases/${aliceLease}`);
  await bob.getByText('There is no such lease, or it is not yours.').waitFor();

  await alice.getByRole('button', { name: 'Release' }).click();
  await alice.getByRole('button', { name: 'Yes, release' }).click();
  await alice.waitForURL(`${base}/`);
}

// --- helpers ---

async function newContext(colorScheme, viewport) {
  const context = await browser.newContext({ colorScheme, viewport, deviceScaleFactor: 1 });
  // Keeps the page's WebSockets at hand, so a test can cut one as a network blip would.
  await context.addInitScript(() => {
    const Native = window.WebSocket;
    window.__sockets = [];
    window.WebSocket = class extends Native {
      constructor(...args) {
        super(...args);
        window.__sockets.push(this);
      }
    };
  });
  context.on('page', (page) => page.on('pageerror', (e) => console.error('page error:', e.message)));
  return context;
}

async function step(name, body) {
  const started = Date.now();
  await body();
  console.log(`ok   ${name} (${Date.now() - started} ms)`);
}

async function shot(page, name) {
  await page.waitForTimeout(150); // let the last frame paint
  // A phone-sized page is shot whole: there, what matters is often below the first screen.
  const narrow = (page.viewportSize()?.width ?? DESKTOP.width) < 500;
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: narrow });
}

async function shotIn(scheme, viewport, path, name, ready) {
  const context = await newContext(scheme, viewport);
  const page = await context.newPage();
  await page.goto(`${BASE}${path}#token=${encodeURIComponent(ADMIN_TOKEN)}`);
  await page.getByTestId('user').waitFor();
  if (ready) await ready(page);
  else await page.locator('[data-testid=lease-row]').first().waitFor();
  await shot(page, name);
  await context.close();
}

/** Closes the page's WebSockets whose address contains `path`, as a dropped connection would. */
async function cutSockets(page, path) {
  const cut = await page.evaluate((p) => {
    const open = window.__sockets.filter((ws) => ws.url.includes(p) && ws.readyState === WebSocket.OPEN);
    open.forEach((ws) => ws.close(3000, 'test: a network blip'));
    return open.length;
  }, path);
  assert.ok(cut > 0, `no open WebSocket on ${path} to cut`);
  // Back when a new socket on the same path is open (the console reconnects by itself).
  await page.waitForFunction((p) => window.__sockets.some((ws) => ws.url.includes(p) && ws.readyState === WebSocket.OPEN), path);
}

async function terminalText(page) {
  return page.evaluate(() => [...document.querySelectorAll('.tab-panel:not([hidden]) .xterm-rows > div')]
    .map((row) => row.textContent.replace(/\u00a0/g, ' ').trimEnd()).join('\n'));
}

async function waitForTerminal(page, predicate, timeout = 15_000, pollMs = 100) {
  const deadline = Date.now() + timeout;
  let text = '';
  while (Date.now() < deadline) {
    text = await terminalText(page);
    if (predicate(text)) return text;
    await page.waitForTimeout(pollMs);
  }
  // What the page looked like, for whoever reads the failure (outside the screenshots kept in docs/).
  const picture = join(tmpdir(), `console-e2e-terminal-${Date.now()}.png`);
  await page.screenshot({ path: picture }).catch(() => {});
  const tabs = await page.locator('.terminals [role=tab]').allTextContents().catch(() => []);
  const banner = await page.locator('.tab-panel:not([hidden]) [data-testid=terminal-banner]').allTextContents().catch(() => []);
  throw new Error(`the terminal never showed what was expected (tabs ${JSON.stringify(tabs)}, banner ${JSON.stringify(banner)}, `
    + `picture ${picture}); it shows:\n${text}`);
}

async function typeLine(page, line) {
  await page.locator('.tab-panel:not([hidden]) .xterm-helper-textarea').focus();
  await page.keyboard.type(line);
  await page.keyboard.press('Enter');
}

async function checkSize(page, mark) {
  const size = await page.locator('.tab-panel:not([hidden]) [data-testid=terminal]').getAttribute('data-size');
  await typeLine(page, `echo ${mark}:$(stty size)`);
  await waitForTerminal(page, (text) => lines(text).includes(`${mark}:${size}`));
}

async function secondsLeft(page) {
  const text = await page.getByTestId('countdown').first().textContent();
  let seconds = 0;
  for (const [, n, unit] of text.matchAll(/(\d+) (d|h|min|s)/g)) {
    seconds += Number(n) * { d: 86400, h: 3600, min: 60, s: 1 }[unit];
  }
  return seconds;
}

/** One provision through the API alone, to 201 (the container is running then). */
async function apiProvisionMs() {
  const started = performance.now();
  const created = await api('POST', '/api/provision', { imageType: 'busybox', durationSeconds: 120 });
  const took = performance.now() - started;
  await api('DELETE', `/api/containers/${created.id}`);
  return round(took);
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function expectEnded(id, reason) {
  const deadline = Date.now() + 15_000;
  let lease;
  while (Date.now() < deadline) {
    lease = await api('GET', `/api/containers/${id}`);
    if (lease.status === 'ended') break;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.equal(lease.status, 'ended');
  assert.equal(lease.endReason, reason);
}

async function api(method, path, body) {
  const response = await fetch(BASE + path, {
    method,
    headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = await response.json();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

function lines(text) {
  return text.split('\n').map((l) => l.trim());
}

function count(list, value) {
  return list.filter((l) => l === value).length;
}

function round(n) {
  return Math.round(n * 10) / 10;
}

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}
