// Shared by the Node suites: the emulator under test (COGNITO_EMULATOR, started by
// scripts/test.sh, or one started here) and its test API.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
let started;

/** Base URL of a running emulator, e.g. http://127.0.0.1:9230 */
export async function emulator() {
  if (process.env.COGNITO_EMULATOR) return process.env.COGNITO_EMULATOR.replace(/\/$/, '');
  if (!started) {
    started = new Promise((resolve, reject) => {
      const child = spawn(`${ROOT}/target/release/cognito-emulator`, ['--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
      child.on('error', reject);
      process.on('exit', () => child.kill());
      createInterface({ input: child.stdout }).once('line', (line) => {
        // Ready: the emulator must not keep this test process alive (it is killed at exit).
        child.unref();
        child.stdout.unref();
        resolve(JSON.parse(line).endpoint.replace(/\/$/, ''));
      });
    });
  }
  return started;
}

export async function createPool(config = {}) {
  const base = await emulator();
  const r = await fetch(`${base}/_emulator/pools`, { method: 'POST', body: JSON.stringify(config) });
  if (!r.ok) throw new Error(`pool creation failed: ${await r.text()}`);
  return r.json();
}

export async function messages(poolId, username) {
  const base = await emulator();
  return fetch(`${base}/_emulator/messages?poolId=${poolId}&username=${encodeURIComponent(username)}`).then((r) => r.json());
}

export async function lastCode(poolId, username) {
  const m = await messages(poolId, username);
  if (!m.length) throw new Error(`no message for ${username}`);
  return m[m.length - 1].code;
}

export async function stats(poolId) {
  const base = await emulator();
  return fetch(`${base}/_emulator/stats?poolId=${poolId}`).then((r) => r.json());
}

export async function advance(poolId, seconds) {
  const base = await emulator();
  await fetch(`${base}/_emulator/pools/${poolId}/clock`, { method: 'POST', body: JSON.stringify({ advanceSeconds: seconds }) });
}

/** Sets a fault (`{ target, exception?, delayMs?, count? }`) on the pool; returns the Response. */
export async function fault(poolId, f) {
  const base = await emulator();
  return fetch(`${base}/_emulator/faults`, { method: 'POST', body: JSON.stringify({ poolId, ...f }) });
}
