// The browser calls of src/web/mod.rs that are mostly plumbing: fetch with its deadline, Web
// Locks, the WebAuthn ceremony, WebCrypto's RS256 check, random bytes, storage objects,
// BroadcastChannel, timers, cookies and the address bar. They run here, in a few hundred bytes
// of JS, instead of as wasm-bindgen glue (each Reflect call and web-sys method costs an import
// and wasm code): about 3 KB gzipped less. Every decision stays in Rust (what to send, which
// error it is, what the bytes mean); these functions only call the browser and hand back raw
// values. scripts/finish-pkg.mjs bundles this file into the package's module.

/** fetch (the headers as JSON text) with one deadline for the whole exchange, the body included. Resolves
 * [status, body, x-amzn-ErrorType, Cache-Control, Date (ms since the epoch, or NaN)]; rejects with the error, wrapped as
 * {cut: error} when the answer started and was cut off. */
export function fetchText(url, method, headers, body, timeoutMs, noStore) {
  const init = { method, headers: JSON.parse(headers), credentials: 'omit' };
  if (noStore) init.cache = 'no-store';
  if (body !== undefined) init.body = body;
  if (timeoutMs > 0) init.signal = AbortSignal.timeout(timeoutMs);
  return fetch(url, init).then((r) =>
    r.text().then(
      (text) => ({ status: r.status, body: text, errorType: r.headers.get('x-amzn-errortype'), cacheControl: r.headers.get('cache-control'), date: Date.parse(r.headers.get('date')) }),
      (cut) => Promise.reject({ cut }),
    ),
  );
}

/** An exclusive Web Lock: at once if free, else waited for at most waitMs. Resolves
 * {release, waited} (release() frees it), {waited: false} where there are no Web Locks, or
 * null when another holder kept it all that time. A closed tab's locks are released by the
 * browser. */
export function lock(name, waitMs) {
  const locks = globalThis.navigator && navigator.locks;
  if (!locks) return Promise.resolve({ waited: false });
  const ask = (options, waited) =>
    new Promise((granted) =>
      locks
        .request(name, options, (held) => (held ? new Promise((release) => granted({ release, waited })) : granted(null)))
        .catch(() => granted(null)),
    );
  return ask({ ifAvailable: true }, false).then((g) => g || ask({ signal: AbortSignal.timeout(waitMs) }, true));
}

/** navigator.credentials.create / get with these publicKey options, given up after timeoutMs.
 * Resolves the credential's parts, bytes as Uint8Array or null (clientExtensionResults as JSON
 * text); rejects with the browser's DOMException. */
export async function passkey(create, publicKey, timeoutMs) {
  const c = await navigator.credentials[create ? 'create' : 'get']({ publicKey, signal: AbortSignal.timeout(timeoutMs) });
  if (!c) throw new DOMException('no credential', 'NotAllowedError');
  const r = c.response;
  const bytes = (b) => (b ? new Uint8Array(b) : null);
  const call = (o, m) => (typeof o[m] === 'function' ? o[m]() : undefined);
  return {
    id: c.id,
    rawId: bytes(c.rawId),
    attachment: c.authenticatorAttachment || null,
    extensions: JSON.stringify(call(c, 'getClientExtensionResults') || {}),
    clientDataJSON: bytes(r.clientDataJSON),
    authenticatorData: bytes(create ? call(r, 'getAuthenticatorData') : r.authenticatorData),
    attestationObject: bytes(r.attestationObject),
    transports: call(r, 'getTransports') || [],
    publicKey: bytes(call(r, 'getPublicKey')),
    publicKeyAlgorithm: call(r, 'getPublicKeyAlgorithm'),
    signature: bytes(r.signature),
    userHandle: bytes(r.userHandle),
  };
}

/** HMAC-SHA256 of the message with the key (WebCrypto): the MAC's bytes. */
export function hmacSha256(key, message) {
  const alg = { name: 'HMAC', hash: 'SHA-256' };
  const msg = message.slice(); // see verifyRs256
  return crypto.subtle.importKey('raw', key, alg, false, ['sign']).then((k) => crypto.subtle.sign(alg, k, msg)).then((m) => new Uint8Array(m));
}

const preconnected = new Set();
/** A <link rel="preconnect" crossorigin> to the URL's origin, once per origin: the connection
 * (DNS, TCP, TLS) opens while the user types, not when the first request goes. crossorigin
 * (anonymous) because the SDK's requests carry no credentials: a connection opened for a
 * credentialed request would not be reused. */
export function preconnect(url) {
  try {
    const origin = new URL(url).origin;
    if (typeof document === 'undefined' || preconnected.has(origin)) return;
    preconnected.add(origin);
    document.head.append(Object.assign(document.createElement('link'), { rel: 'preconnect', href: origin, crossOrigin: 'anonymous' }));
  } catch {}
}

/** Fills the buffer from the CSPRNG (at most 64 KB per call; the SDK asks for a few bytes). */
export function fillRandom(buffer) {
  crypto.getRandomValues(buffer);
}

/** A secure context with WebAuthn. */
export function passkeysSupported() {
  return !!(globalThis.isSecureContext && globalThis.PublicKeyCredential && globalThis.navigator && navigator.credentials);
}

/** RSASSA-PKCS1-v1_5 / SHA-256 with the JWK's n and e (WebCrypto). */
export function verifyRs256(n, e, signature, data) {
  const alg = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
  // The byte arguments are views into the wasm memory, valid only during this call: a later
  // memory.grow detaches them (verify would see no bytes) and freed memory is reused. Copy
  // them now, since verify runs after importKey settles.
  const [sig, bytes] = [signature.slice(), data.slice()];
  return crypto.subtle
    .importKey('jwk', { kty: 'RSA', n, e, alg: 'RS256', ext: true }, alg, false, ['verify'])
    .then((key) => crypto.subtle.verify(alg, key, sig, bytes));
}

/** getItem of each key (a JSON array of strings), of a Storage or of the app's store
 * (synchronous or Promise-returning alike): a Promise of the values as a JSON array (null for an
 * absent or unreadable key). */
export function storeGetAll(store, keys) {
  const read = (k) => new Promise((done) => done(store.getItem(k))).then((v) => (typeof v === 'string' ? v : null), () => null);
  return Promise.all(JSON.parse(keys).map(read)).then(JSON.stringify);
}

/** setItem of each [key, value] pair (JSON) in order; stops at the first refusal, rejecting
 * with {key, error}. */
export async function storeSetAll(store, pairs) {
  for (const [key, value] of JSON.parse(pairs)) {
    try {
      await store.setItem(key, value);
    } catch (error) {
      throw { key, error };
    }
  }
}

/** removeItem of each key (JSON); failures ignored: a key that cannot be removed cannot be read
 * either. */
export async function storeRemoveAll(store, keys) {
  for (const k of JSON.parse(keys)) {
    try {
      await store.removeItem(k);
    } catch {}
  }
}

/** A synchronous getItem: the string, null when absent, undefined when the store is
 * asynchronous (it returned a Promise) or failed. */
export function storeGetSync(store, key) {
  try {
    const v = store.getItem(key);
    return v == null ? null : typeof v === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}

/** A BroadcastChannel delivering each message's data to onMessage, or null where there is none.
 * In Node, unref() lets the process exit while it is open. */
export function openChannel(name, onMessage) {
  try {
    const c = new BroadcastChannel(name);
    c.onmessage = (e) => onMessage(e.data);
    if (c.unref) c.unref();
    return c;
  } catch {
    return null;
  }
}

export function post(channel, message) {
  try {
    channel.postMessage(message);
  } catch {}
}

export function closeChannel(channel) {
  channel.onmessage = null;
  channel.close();
}

export const sleep = (ms) => new Promise((wake) => setTimeout(wake, ms));
/** Resolves when the page is idle, 100 ms later at most (setTimeout where there is no
 * requestIdleCallback: workers, Node, Safari). */
export const idle = () => new Promise((wake) => (globalThis.requestIdleCallback ? requestIdleCallback(() => wake(), { timeout: 100 }) : setTimeout(wake, 0)));
export const userAgent = () => globalThis.navigator && navigator.userAgent;
export const cookies = () => document.cookie;
export function setCookie(cookie) {
  document.cookie = cookie;
}
export const isHttps = () => globalThis.location && location.protocol === 'https:';
export const currentUrl = () => globalThis.location && location.href;
export function navigate(url) {
  location.assign(url);
}
export function replaceUrl(url) {
  try {
    history.replaceState(null, '', url);
  } catch {}
}
