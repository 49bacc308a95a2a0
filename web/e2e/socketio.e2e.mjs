// The Socket.IO gateway with the real npm socket.io-client, as the original front end used it.
// SocketIoIT starts a server and runs this; by hand:
//   BASE_URL=http://127.0.0.1:8080 TOKEN=… OTHER_TOKEN=… node e2e/socketio.e2e.mjs
import { io } from 'socket.io-client';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, renameSync } from 'node:fs';

const BASE = required('BASE_URL');
const TOKEN = required('TOKEN');
const OTHER = required('OTHER_TOKEN');
// A .tar.gz whose start.sh answers every message with {version: "v2"} (made by SocketIoIT).
const APP_ARCHIVE = readFileSync(required('APP_ARCHIVE'));

await step('a socket without a token, or from a foreign origin, gets nothing but connect_error', refused);
await step('an unknown command is answered unknown_event; a deeply nested one ends the socket, not the server', hostilePayloads);
await step('the seed system’s short event names work as aliases of today’s', aliases);
for (const transports of [['polling'], ['websocket']]) {
  await step(`every command is acknowledged and events arrive (${transports[0]})`, () => commands(transports));
}
await step('messages reach the program inside and new code replaces it', program);
await step('a WebSocket ticket works as well as a token', withTicket);
await step('another user sees none of the first user’s leases', isolation);
// Last: it uses up the second user's rate limit.
if (process.env.RATE_LIMITED) await step('commands count against the rate limit', rateLimited);
// After everything of the second user's: it revokes them.
if (process.env.TOKENS_FILE) await step('revoking a token ends its sockets within two seconds', revoked);

async function revoked() {
  const socket = io(BASE, { transports: ['websocket'], reconnection: false, auth: { token: OTHER } });
  await new Promise((resolve) => socket.on('connect', resolve));
  const error = new Promise((resolve) => socket.on('error', resolve));
  const gone = new Promise((resolve) => socket.on('disconnect', resolve));
  const started = Date.now();
  const tmp = `${process.env.TOKENS_FILE}.tmp`;
  writeFileSync(tmp, readFileSync(process.env.TOKENS_FILE, 'utf8').split('  - user: bob')[0]);
  renameSync(tmp, process.env.TOKENS_FILE);
  assert.equal((await error).code, 'token_revoked');
  await gone;
  assert.ok(Date.now() - started < 3000, `ended after ${Date.now() - started} ms`);
}

async function hostilePayloads() {
  const socket = io(BASE, { transports: ['websocket'], reconnection: false, auth: { token: TOKEN } });
  await new Promise((resolve) => socket.on('connect', resolve));
  const unknown = await socket.timeout(15_000).emitWithAck('format_disk', {});
  assert.equal(unknown.success, false);
  assert.equal(unknown.error.code, 'unknown_event');
  assert.match(unknown.error.message, /no command 'format_disk'; known: create_container/);
  // Without an acknowledgement to answer, the answer is an 'error' event: never silence.
  const heard = new Promise((resolve) => socket.on('error', resolve));
  socket.emit('reboot_host', {});
  const error = await heard;
  assert.equal(error.code, 'unknown_event');
  assert.equal(error.event, 'reboot_host');
  // A hostile name is not echoed whole: the answer names its first 64 characters.
  const long = new Promise((resolve) => socket.once('error', resolve));
  socket.emit('x'.repeat(100_000), {});
  const cut = await long;
  assert.equal(cut.code, 'unknown_event');
  assert.equal(cut.event, `${'x'.repeat(64)}…`);
  assert.ok(cut.message.length < 600, `an answer of ${cut.message.length} characters`);
  let deep = [];
  for (let i = 0; i < 3000; i++) deep = [deep];
  const gone = new Promise((resolve) => socket.on('disconnect', resolve));
  socket.emit('list_containers', deep);
  await gone;
  // The server is fine: a new socket is served.
  const again = io(BASE, { transports: ['polling'], reconnection: false, auth: { token: TOKEN } });
  await new Promise((resolve) => again.on('connect', resolve));
  assert.equal((await again.timeout(15_000).emitWithAck('list_containers', {})).success, true);
  const deepPoll = await fetch(`${BASE}/socket.io/?EIO=4&transport=polling&sid=x`, { method: 'POST',
    headers: { 'Content-Type': 'text/plain' }, body: `42["list_containers",${'['.repeat(3000)}${']'.repeat(3000)}]` });
  assert.equal(deepPoll.status, 400);
  assert.equal((await deepPoll.json()).error.code, 'too_deep');
  again.close();
}

async function rateLimited() {
  const socket = io(BASE, { transports: ['websocket'], reconnection: false, auth: { token: OTHER } });
  await new Promise((resolve) => socket.on('connect', resolve));
  const answers = [];
  for (let i = 0; i < Number(process.env.RATE_LIMITED) + 5; i++) {
    answers.push(await socket.timeout(15_000).emitWithAck('list_containers', {}));
  }
  const limited = answers.filter((a) => !a.success);
  assert.ok(limited.length >= 5, JSON.stringify(answers.slice(-3)));
  assert.equal(limited[0].error.code, 'rate_limited');
  // Unknown events count too: past the limit they are answered rate_limited, not unknown_event.
  const unknown = await socket.timeout(15_000).emitWithAck('reboot_host', {});
  assert.equal(unknown.error.code, 'rate_limited');
  socket.close();
}

async function withTicket() {
  const answer = await fetch(`${BASE}/api/ws-ticket`, { method: 'POST', headers: { Authorization: `Bearer ${TOKEN}` } });
  const { ticket } = await answer.json();
  const socket = io(BASE, { transports: ['websocket'], reconnection: false, auth: { ticket } });
  await new Promise((resolve, reject) => {
    socket.on('connect', resolve);
    socket.on('connect_error', reject);
  });
  const listed = await socket.timeout(15_000).emitWithAck('list_containers', {});
  assert.equal(listed.success, true);
  socket.close();
}

async function refused() {
  const anonymous = io(BASE, { transports: ['websocket'], reconnection: false, auth: {} });
  const heard = [];
  anonymous.onAny((name) => heard.push(name));
  const why = await new Promise((resolve) => anonymous.on('connect_error', resolve));
  assert.match(why.message, /not authenticated/);
  assert.deepEqual(heard, []);
  anonymous.close();

  const wrong = io(BASE, { transports: ['websocket'], reconnection: false, auth: { token: 'not-a-token-at-all' } });
  assert.match((await new Promise((resolve) => wrong.on('connect_error', resolve))).message, /not authenticated/);
  wrong.close();

  const foreign = io(BASE, { transports: ['polling'], reconnection: false, auth: { token: TOKEN },
    extraHeaders: { Origin: 'http://evil.example' } });
  const error = await new Promise((resolve) => foreign.on('connect_error', resolve));
  assert.ok(error);
  foreign.close();
  const raw = await fetch(`${BASE}/socket.io/?EIO=4&transport=polling`, { headers: { Origin: 'http://evil.example' } });
  assert.equal(raw.status, 403);
  assert.equal((await raw.json()).error.code, 'origin_not_allowed');
}

async function aliases() {
  const socket = io(BASE, { transports: ['websocket'], reconnection: false, auth: { token: TOKEN } });
  await new Promise((resolve, reject) => {
    socket.on('connect', resolve);
    socket.on('connect_error', reject);
  });
  const ask = (command, data) => socket.timeout(15_000).emitWithAck(command, data);
  const created = await ask('create', { imageType: 'busybox', durationMinutes: 5 });
  assert.equal(created.success, true, JSON.stringify(created));
  const id = created.data.id;
  assert.equal((await ask('status', { id })).data.id, id);
  assert.ok((await ask('list', {})).data.containers.some((c) => c.id === id));
  assert.equal((await ask('stop', { id, timeoutSeconds: 1 })).data.container.state, 'stopped');
  assert.equal((await ask('start', { id })).data.container.state, 'running');
  assert.equal((await ask('restart', { id })).data.container.state, 'running');
  assert.equal((await ask('update', { id, archive: APP_ARCHIVE })).error?.code, 'code_not_enabled');
  assert.equal((await ask('send_message', { id, payload: {} })).error?.code, 'channel_not_enabled');
  assert.equal((await ask('delete', { id })).success, true);
  assert.match((await ask('status', { id })).data.status, /^(ending|ended)$/);
  socket.close();
}

async function commands(transports) {
  const socket = io(BASE, { transports, reconnection: false, auth: { token: TOKEN } });
  const events = [];
  socket.onAny((name, payload) => events.push({ name, payload }));
  await new Promise((resolve, reject) => {
    socket.on('connect', resolve);
    socket.on('connect_error', reject);
  });
  const ask = (command, data) => socket.timeout(15_000).emitWithAck(command, data);

  const created = await ask('create_container', { imageType: 'busybox', durationMinutes: 5 });
  assert.equal(created.success, true, JSON.stringify(created));
  const id = created.data.id;
  assert.equal(created.data.status, 'running');

  const refusedCreate = await ask('create_container', { imageType: 'nope', durationMinutes: 5 });
  assert.deepEqual({ success: refusedCreate.success, code: refusedCreate.error.code, category: refusedCreate.error.category },
    { success: false, code: 'unknown_image_type', category: 'validation' });

  const stopped = await ask('stop_container', { id, timeoutSeconds: 1 });
  assert.equal(stopped.data.container.state, 'stopped');
  assert.equal((await ask('start_container', { id })).data.container.state, 'running');
  assert.equal((await ask('restart_container', { id })).data.container.state, 'running');
  assert.equal((await ask('get_status', { id })).data.id, id);
  const listed = await ask('list_containers', {});
  assert.ok(listed.data.containers.some((c) => c.id === id));
  const update = await ask('update_container', { id, archive: APP_ARCHIVE });
  assert.equal(update.error?.code, 'code_not_enabled', JSON.stringify(update));
  const message = await ask('send_message', { id, payload: {} });
  assert.equal(message.error?.code, 'channel_not_enabled', JSON.stringify(message));
  const badId = await ask('get_status', { id: 'nope' });
  assert.equal(badId.error.code, 'invalid_id');
  assert.equal((await ask('delete_container', { id })).success, true);

  await waitFor(() => events.some((e) => e.name === 'lease' && e.payload.type === 'ended' && e.payload.leaseId === id));
  assert.ok(events.some((e) => e.name === 'lease' && e.payload.type === 'running' && e.payload.leaseId === id));
  assert.ok(events.some((e) => e.name === 'container_status' && e.payload.to === 'stopped' && e.payload.leaseId === id));
  assert.ok(events.some((e) => e.name === 'activity_log' && e.payload.action === 'provision'));
  socket.close();
}

async function program() {
  const socket = io(BASE, { transports: ['websocket'], reconnection: false, auth: { token: TOKEN } });
  const events = [];
  socket.onAny((name, payload) => events.push({ name, payload }));
  await new Promise((resolve) => socket.on('connect', resolve));
  const ask = (command, data) => socket.timeout(30_000).emitWithAck(command, data);

  const echo = (await ask('create_container', { imageType: 'echo', durationMinutes: 5 })).data.id;
  const reply = await waitForAnswer(() => ask('send_message', { id: echo, payload: { hello: 'world' } }));
  assert.deepEqual(reply.data.reply.payload, { hello: 'world' });
  // Echoed back without an id the service waits for: the program speaking unprompted.
  assert.equal((await ask('send_message', { id: echo, payload: 'unprompted', reply: false })).success, true);
  await waitFor(() => events.some((e) => e.name === 'channel_message' && e.payload.leaseId === echo && e.payload.payload === 'unprompted'));
  const tooSlow = await ask('send_message', { id: echo, payload: 1, timeoutMs: 0 });
  assert.equal(tooSlow.error.code, 'invalid_field');

  const app = (await ask('create_container', { imageType: 'app', durationMinutes: 5 })).data.id;
  const updated = await ask('update_container', { id: app, archive: APP_ARCHIVE });
  assert.deepEqual(updated.data, { version: 2, status: 'active' }, JSON.stringify(updated));
  const answer = await waitForAnswer(() => ask('send_message', { id: app, payload: {} }));
  assert.equal(answer.data.reply.payload.version, 'v2');
  const base64 = await ask('update_container', { id: app, archiveBase64: 'bm90IGEgdGFyLmd6' });
  assert.equal(base64.error.code, 'invalid_archive');
  await waitFor(() => events.some((e) => e.name === 'code_update' && e.payload.type === 'active' && e.payload.leaseId === app));
  assert.ok(events.some((e) => e.name === 'activity_log' && e.payload.action === 'code_update'));
  for (const id of [echo, app]) await ask('delete_container', { id });
  socket.close();
}

/** The program needs a moment to listen after its container starts: not_connected is retried. */
async function waitForAnswer(send) {
  for (let tries = 0; ; tries++) {
    const answer = await send();
    if (answer.success || answer.error.code !== 'channel_not_connected' || tries > 50) return answer;
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function isolation() {
  const owner = io(BASE, { transports: ['websocket'], reconnection: false, auth: { token: TOKEN } });
  const other = io(BASE, { transports: ['websocket'], reconnection: false, auth: { token: OTHER } });
  const otherHeard = [];
  other.onAny((name, payload) => otherHeard.push({ name, payload }));
  await Promise.all([owner, other].map((s) => new Promise((resolve) => s.on('connect', resolve))));
  const created = await owner.timeout(15_000).emitWithAck('create_container', { imageType: 'busybox', durationMinutes: 5 });
  const id = created.data.id;
  const seen = await other.timeout(15_000).emitWithAck('get_status', { id });
  assert.equal(seen.error.code, 'lease_not_found');
  const stop = await other.timeout(15_000).emitWithAck('stop_container', { id });
  assert.equal(stop.error.code, 'lease_not_found');
  const list = await other.timeout(15_000).emitWithAck('list_containers', {});
  assert.ok(!list.data.containers.some((c) => c.id === id));
  await owner.timeout(15_000).emitWithAck('delete_container', { id });
  await new Promise((r) => setTimeout(r, 500));
  // Only its own (refused) attempts reach the other user; nothing of the lease's life or its owner's activity.
  const leaked = otherHeard.filter((e) => (e.name !== 'activity_log' && e.payload?.leaseId === id)
    || (e.name === 'activity_log' && e.payload.user !== 'bob'));
  assert.deepEqual(leaked, []);
  owner.close();
  other.close();
}

async function waitFor(condition, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function step(name, body) {
  const started = Date.now();
  await body();
  console.log(`ok   ${name} (${Date.now() - started} ms)`);
}

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}
