/*! cognito-wasm: AWS requests */
// signRequest, fetchSigned and presignUrl of CognitoAuth (installed by methods.js, which
// fetches this module on their first use): the request is taken apart and put back together
// here, the body's SHA-256 comes from WebCrypto (fast, and off the main thread for big
// uploads); the signing (canonical request, SigV4, the credentials) is the wasm's aws part.
// Each function gets the CognitoAuth, `call(method, input)` (the wasm's entry point) and the
// SDK's error maker.
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

async function sha256Hex(body, sdkError) {
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

// signRequest(request, {service, region}): a Request gives a new Request; {url, method, headers,
// body} gives the same shape, signed (Authorization, X-Amz-Date, X-Amz-Security-Token, and for
// S3 X-Amz-Content-Sha256).
export async function signRequest(auth, call, sdkError, request, options = {}) {
  const isRequest = typeof Request !== 'undefined' && request instanceof Request;
  const method = (request.method || 'GET').toUpperCase();
  const body = isRequest ? (method === 'GET' || method === 'HEAD' ? undefined : await request.clone().arrayBuffer()) : request.body;
  const url = new URL(request.url, globalThis.location && location.href).href;
  const headers = [...new Headers(request.headers || undefined)];
  const payloadHash = await sha256Hex(body, sdkError);
  const signed = await call('signRequest', { url, method, headers, payloadHash, service: options.service, region: options.region });
  if (!isRequest) return { url: signed.url, method, headers: Object.fromEntries([...headers, ...signed.headers]), body };
  const h = new Headers(request.headers);
  for (const [k, v] of signed.headers) h.set(k, v);
  return new Request(signed.url, { method, headers: h, body, mode: request.mode, credentials: request.credentials, cache: request.cache, redirect: request.redirect, signal: request.signal });
}

// fetchSigned(input, init, {service, region}): fetch, signed with the current credentials.
export async function fetchSigned(auth, call, sdkError, input, init, options) {
  return fetch(await signRequest(auth, call, sdkError, new Request(input, init), options));
}

// presignUrl(url, {service, region, expiresIn, method}): {url, expiresIn}; expiresIn is capped
// at the credentials' remaining life (a presigned URL dies with its session token).
export async function presignUrl(auth, call, sdkError, url, options = {}) {
  const r = await call('presignUrl', { url: new URL(url, globalThis.location && location.href).href, method: options.method || 'GET', service: options.service, region: options.region, expiresIn: options.expiresIn });
  return { url: r.url, expiresIn: r.expiresIn };
}
