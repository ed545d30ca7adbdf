// The emulator under load: USER_PASSWORD_AUTH sign-ins of the demo user at a fixed concurrency,
// in memory and with --data, against the release binary. A benchmark, not a test: it reports,
// it does not assert (except that every sign-in got its tokens).
//
//   cargo build -p cognito-emulator --release
//   node bench/emulator-load.mjs [--count 3000] [--concurrency 50] [--bin target/release/cognito-emulator] [--json FILE]
//
// For each mode: 200 sign-ins to warm up, then COUNT sign-ins, each timed from request to the
// last byte of its answer. Prints sign-ins/s (COUNT over the wall time), p50 and p99, and for
// --data the size of the database, its WAL and shared-memory file: right after the last answer,
// and once the emulator has been idle for 2 s (its checkpoint thread empties the WAL then).
import { spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const COUNT = Number(arg('count', 3000));
const CONCURRENCY = Number(arg('concurrency', 50));
const BIN = arg('bin', join(ROOT, 'target/release/cognito-emulator'));
const WARM = 200;

/** Starts the emulator; resolves with the child and its ready line. */
function start(args) {
  const child = spawn(BIN, ['--port', '0', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    lines.once('line', (line) => resolve({ child, ready: JSON.parse(line) }));
  });
}

function stop(child) {
  return new Promise((resolve) => {
    child.once('exit', resolve);
    child.kill('SIGTERM');
  });
}

/** One sign-in; resolves with its duration in ms. */
function signIn(agent, url, body) {
  return new Promise((resolve, reject) => {
    const t = process.hrtime.bigint();
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          'Content-Type': 'application/x-amz-json-1.1',
          'X-Amz-Target': 'AWSCognitoIdentityProviderService.InitiateAuth',
          'Content-Length': Buffer.byteLength(body),
        },
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const ms = Number(process.hrtime.bigint() - t) / 1e6;
          const text = Buffer.concat(chunks).toString();
          if (res.statusCode !== 200 || !text.includes('"RefreshToken"')) reject(new Error(`${res.statusCode} ${text}`));
          else resolve(ms);
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** `n` sign-ins, `CONCURRENCY` at a time; their durations and the wall time. */
async function load(ready, n) {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const body = JSON.stringify({
    ClientId: ready.clientId,
    AuthFlow: 'USER_PASSWORD_AUTH',
    AuthParameters: { USERNAME: 'demo', PASSWORD: 'Passw0rd!' },
  });
  const times = [];
  let next = 0;
  const t0 = process.hrtime.bigint();
  const worker = async () => {
    while (next < n) {
      next += 1;
      times.push(await signIn(agent, ready.endpoint, body));
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  agent.destroy();
  return { times, wall };
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
const size = async (f) => (await stat(f).catch(() => ({ size: 0 }))).size;
const kb = (b) => `${(b / 1024).toFixed(0)} KB`;

async function files(data) {
  const [db, wal, shm] = [await size(data), await size(`${data}-wal`), await size(`${data}-shm`)];
  return { db, wal, shm, total: db + wal + shm };
}

async function run(mode, args, data) {
  const { child, ready } = await start(args);
  try {
    await load(ready, WARM);
    const before = data ? await files(data) : null;
    const { times, wall } = await load(ready, COUNT);
    const sorted = [...times].sort((a, b) => a - b);
    const r = { mode, signIns: COUNT, concurrency: CONCURRENCY, perSecond: COUNT / wall, p50: pct(sorted, 50), p99: pct(sorted, 99), seconds: wall };
    if (data) {
      r.filesBefore = before;
      r.filesAfter = await files(data);
      await new Promise((ok) => setTimeout(ok, 2000));
      r.filesIdle = await files(data);
    }
    return r;
  } finally {
    await stop(child);
  }
}

const dir = await mkdtemp(join(tmpdir(), 'emulator-load-'));
const data = join(dir, 'state.db');
const results = [await run('in memory', [], null), await run('--data', ['--data', data], data)];
await rm(dir, { recursive: true, force: true });

console.log(`\n${COUNT} USER_PASSWORD_AUTH sign-ins at concurrency ${CONCURRENCY} (after ${WARM} to warm up), ${BIN.replace(ROOT, '')}\n`);
console.log('| mode | sign-ins/s | p50 | p99 | data (db + WAL + shm) after the run | after 2 s idle |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const r of results) {
  const f = (x) => (x ? `${kb(x.total)} (${kb(x.db)} + ${kb(x.wal)} + ${kb(x.shm)})` : '');
  console.log(`| ${r.mode} | ${r.perSecond.toFixed(0)} | ${r.p50.toFixed(0)} ms | ${r.p99.toFixed(0)} ms | ${f(r.filesAfter)} | ${f(r.filesIdle)} |`);
}
const out = arg('json');
if (out) await writeFile(out, JSON.stringify(results, null, 2) + '\n');
