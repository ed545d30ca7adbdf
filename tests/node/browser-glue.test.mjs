// The browser glue (src/web/browser.js) under Node's WebCrypto. The byte arguments wasm-bindgen
// passes are views into the wasm memory, valid only during the call: memory.grow detaches them and
// freed memory is reused by the next allocation. A function that uses them after an await must
// have copied them first. Here the views are spoiled right after the call, as the wasm side does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, createSign, createHmac } from 'node:crypto';
import { verifyRs256, hmacSha256 } from '../../src/web/browser.js';

/** `bytes` as a view into a larger buffer, as wasm-bindgen passes them. */
function view(memory, offset, bytes) {
  const v = new Uint8Array(memory, offset, bytes.length);
  v.set(bytes);
  return v;
}

/** A fresh RSA key (its JWK n and e), a JWT's signing input and its RS256 signature. */
function signed() {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const { n, e } = publicKey.export({ format: 'jwk' });
  const data = Buffer.from('eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0');
  return { n, e, data, signature: createSign('RSA-SHA256').update(data).sign(privateKey) };
}

test('verifyRs256 uses the bytes it was called with, though the memory is reused right after', async () => {
  const { n, e, data, signature } = signed();
  const memory = new ArrayBuffer(4096);
  const pending = verifyRs256(n, e, view(memory, 0, signature), view(memory, 1024, data));
  new Uint8Array(memory).fill(0x41); // the next allocation overwrites both
  assert.equal(await pending, true);
  // And a wrong signature is still refused.
  signature[10] ^= 1;
  assert.equal(await verifyRs256(n, e, view(memory, 0, signature), view(memory, 1024, data)), false);
});

test('verifyRs256 uses the bytes it was called with, though the memory grows (detaching the views) right after', async () => {
  const { n, e, data, signature } = signed();
  const memory = new ArrayBuffer(4096);
  const pending = verifyRs256(n, e, view(memory, 0, signature), view(memory, 1024, data));
  structuredClone(memory, { transfer: [memory] }); // detaches, as memory.grow does
  assert.equal(memory.byteLength, 0);
  assert.equal(await pending, true);
});

test('hmacSha256 uses the message it was called with, though the memory is reused right after', async () => {
  const key = Buffer.alloc(32, 7);
  const message = Buffer.from('20261207\nus-east-1\ncognito-identity');
  const memory = new ArrayBuffer(4096);
  const pending = hmacSha256(view(memory, 0, key), view(memory, 64, message));
  new Uint8Array(memory).fill(0);
  assert.deepEqual(Buffer.from(await pending), createHmac('sha256', key).update(message).digest());
});
