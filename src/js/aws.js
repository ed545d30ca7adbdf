/*! cognito-wasm: AWS credentials */
// The AWS-credentials methods (feature `aws`; scripts/finish-pkg.mjs appends this after
// methods.js when the package is built with it): getCredentials like the other methods, and
// signRequest, fetchSigned and presignUrl, written here around the wasm's signing. Types:
// src/js/aws.d.ts.
for (const m of ['getCredentials']) install(m);

// AWS requests signed with the identity pool's credentials. The signing (canonical request,
// SigV4, the credentials) is the wasm's; here the request is taken apart and put back together,
// and the body's SHA-256 comes from WebCrypto (fast and off the main thread for big uploads).
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

async function sha256Hex(body) {
  if (body == null || body === '') return EMPTY_SHA256;
  let bytes = body;
  if (typeof body === 'string') bytes = new TextEncoder().encode(body);
  else if (typeof Blob !== 'undefined' && body instanceof Blob) bytes = await body.arrayBuffer();
  else if (body instanceof URLSearchParams) bytes = new TextEncoder().encode(body.toString());
  else if (!(body instanceof ArrayBuffer) && !ArrayBuffer.isView(body)) {
    throw sdkError('ConfigError', 'a signed request body must be a string, Blob, ArrayBuffer, typed array or URLSearchParams (not a stream or FormData)');
  }
  const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return Array.from(hash, (b) => b.toString(16).padStart(2, '0')).join('');
}

function needsThis(self, m) {
  if (!(self instanceof CognitoAuth)) throw sdkError('ConfigError', `${m} was called without its CognitoAuth (a detached method?)`);
  if (!self.__wbg_ptr) throw sdkError('InvalidStateError', `${m} was called after free()`);
}

function define(name, fn) {
  Object.defineProperty(CognitoAuth.prototype, name, { value: { [name]: fn }[name], writable: true, configurable: true });
}

// signRequest(request, {service, region}): a Request gives a new Request; {url, method, headers,
// body} gives the same shape, signed (Authorization, X-Amz-Date, X-Amz-Security-Token, and for
// S3 X-Amz-Content-Sha256).
define('signRequest', async function (request, options = {}) {
  needsThis(this, 'signRequest');
  const isRequest = typeof Request !== 'undefined' && request instanceof Request;
  const method = (request.method || 'GET').toUpperCase();
  const body = isRequest ? (method === 'GET' || method === 'HEAD' ? undefined : await request.clone().arrayBuffer()) : request.body;
  const url = new URL(request.url, globalThis.location && location.href).href;
  const headers = [...new Headers(request.headers || undefined)];
  const signed = await this.__call('signRequest', { url, method, headers, payloadHash: await sha256Hex(body), service: options.service, region: options.region });
  if (!isRequest) return { url: signed.url, method, headers: Object.fromEntries([...headers, ...signed.headers]), body };
  const h = new Headers(request.headers);
  for (const [k, v] of signed.headers) h.set(k, v);
  return new Request(signed.url, { method, headers: h, body, mode: request.mode, credentials: request.credentials, cache: request.cache, redirect: request.redirect, signal: request.signal });
});

// fetchSigned(input, init, {service, region}): fetch, signed with the current credentials.
define('fetchSigned', async function (input, init, options) {
  needsThis(this, 'fetchSigned');
  return fetch(await this.signRequest(new Request(input, init), options));
});

// presignUrl(url, {service, region, expiresIn, method}): {url, expiresIn}; expiresIn is capped
// at the credentials' remaining life (a presigned URL dies with its session token).
define('presignUrl', async function (url, options = {}) {
  needsThis(this, 'presignUrl');
  const r = await this.__call('presignUrl', { url: new URL(url, globalThis.location && location.href).href, method: options.method || 'GET', service: options.service, region: options.region, expiresIn: options.expiresIn });
  return { url: r.url, expiresIn: r.expiresIn };
});

