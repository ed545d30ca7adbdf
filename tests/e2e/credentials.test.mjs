// AWS credentials in headless Chromium against the emulator's identity pools, with the package
// (AWS credentials are the package's aws part, loaded on first use): guest → sign in
// keeps the identity; 20 concurrent getCredentials → one request; fetchSigned accepted by the
// emulator's SigV4 endpoint, a tampered signature and expired credentials refused; expired
// credentials renewed transparently; sign-out in a second tab clears them. Cross-checked with
// code nobody here wrote: @smithy/signature-v4 (the AWS SDK's signer) computes the same
// signatures for random requests, and @aws-sdk/client-s3 with the SDK's credentials is accepted.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SignatureV4 } from '@smithy/signature-v4';
import { Hash } from '@smithy/hash-node';
import { S3Client, PutObjectCommand, GetObjectCommand } from '@aws-sdk/client-s3';
import { launch, site, sdk, call } from './support.mjs';
import { emulator, stats } from '../node/emulator.mjs';

const PKG = fileURLToPath(new URL('../../pkg/', import.meta.url));
let browser;
before(async () => {
  assert.ok(existsSync(`${PKG}cognito_wasm.js`), 'pkg/ is missing: npm run build');
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const USERS = { users: [{ username: 'ann', password: 'Passw0rd!' }, { username: 'bo', password: 'Passw0rd!' }] };

async function identityPool(s, extra = {}) {
  const r = await fetch(`${s.base}/_emulator/identity-pools`, {
    method: 'POST',
    body: JSON.stringify({ allowUnauthenticatedIdentities: true, providers: [{ userPoolId: s.pool.userPoolId, clientId: s.pool.clientId }], ...extra }),
  });
  return (await r.json()).identityPoolId;
}

async function start({ guests = true, pool = {}, pages = 1 } = {}) {
  const s = await site(USERS, { pkgDir: PKG });
  const identityPoolId = await identityPool(s, pool);
  const context = await browser.newContext();
  const config = { ...s.config(), identityPoolId, identityEndpoint: `${s.base}/`, allowGuestAccess: guests };
  const list = [];
  for (let i = 0; i < pages; i++) {
    const page = await context.newPage();
    page.on('pageerror', (e) => console.error('page error:', e));
    await page.goto(`${s.origin}__test__/app`);
    await sdk(page, config);
    list.push(page);
  }
  return { ...s, identityPoolId, pages: list, page: list[0], config };
}

const signIn = (auth, user) => auth.signIn({ username: user, password: 'Passw0rd!' });

test('guest credentials, then sign-in: the same identity, authenticated; 20 concurrent calls make one request', async () => {
  const { page, identityPoolId } = await start();
  const guest = (await call(page, (auth) => auth.getCredentials())).value;
  assert.equal(guest.authenticated, false);
  assert.match(guest.accessKeyId, /^ASIA/);
  assert.ok(guest.expiration > Date.now() + 50 * 60_000, 'expiration in ms since the epoch');
  assert.deepEqual((await call(page, signIn, 'ann')).value, { signedIn: true });
  const before = (await stats(identityPoolId)).GetCredentialsForIdentity || 0;
  const all = (await call(page, (auth) => Promise.all(Array.from({ length: 20 }, () => auth.getCredentials())))).value;
  assert.ok(all.every((c) => c.accessKeyId === all[0].accessKeyId));
  assert.equal((await stats(identityPoolId)).GetCredentialsForIdentity - before, 1);
  assert.equal(all[0].identityId, guest.identityId);
  assert.equal(all[0].authenticated, true);
  assert.notEqual(all[0].accessKeyId, guest.accessKeyId);
});

test('fetchSigned passes the SigV4 check; a tampered signature is refused; presigned S3 URLs work', async () => {
  const { page } = await start();
  await call(page, signIn, 'ann');
  const base = await emulator();
  const ok = await call(page, async (auth, b) => {
    const r = await auth.fetchSigned(`${b}/_emulator/aws/execute-api/prod/items?x=1&a=b%20c`, { method: 'POST', body: '{"hello":"world"}', headers: { 'content-type': 'application/json' } }, { service: 'execute-api', region: 'us-east-1' });
    return { status: r.status, body: await r.json() };
  }, base);
  assert.equal(ok.value?.status, 200, JSON.stringify(ok));
  assert.equal(ok.value.body.authenticated, true);
  const tampered = await call(page, async (auth, b) => {
    const s = await auth.signRequest({ url: `${b}/_emulator/aws/execute-api/prod/items`, method: 'GET' }, { service: 'execute-api', region: 'us-east-1' });
    s.headers.authorization = s.headers.authorization.replace('Signature=', 'Signature=0');
    const r = await fetch(s.url, { method: s.method, headers: s.headers });
    return { status: r.status, type: r.headers.get('x-amzn-ErrorType') };
  }, base);
  assert.equal(tampered.value.status, 403);
  assert.match(tampered.value.type, /^InvalidSignatureException/);
  // S3: a signed PUT, then a presigned GET.
  const put = await call(page, async (auth, b) => {
    const r = await auth.fetchSigned(`${b}/_emulator/aws/s3/uploads/hello%20world.txt`, { method: 'PUT', body: new Blob(['hi from the page']) }, { service: 's3', region: 'us-east-1' });
    return r.status;
  }, base);
  assert.equal(put.value, 200, JSON.stringify(put));
  const pre = await call(page, (auth, b) => auth.presignUrl(`${b}/_emulator/aws/s3/uploads/hello%20world.txt`, { service: 's3', region: 'us-east-1', expiresIn: 7 * 24 * 3600 }), base);
  assert.ok(pre.value.expiresIn <= 3600, `capped at the credentials' life: ${pre.value.expiresIn}`);
  assert.equal(await (await fetch(pre.value.url)).text(), 'hi from the page');
});

test('expired credentials: refused by AWS, renewed transparently by the SDK', async () => {
  const { page } = await start({ pool: { credentialsSeconds: 302 } });
  const first = (await call(page, (auth) => auth.getCredentials())).value;
  await page.waitForTimeout(2500);
  // Within 5 minutes of expiry: the next call renews them.
  const second = (await call(page, (auth) => auth.getCredentials())).value;
  assert.notEqual(second.accessKeyId, first.accessKeyId);
  const base = await emulator();
  const ok = await call(page, async (auth, b) => (await auth.fetchSigned(`${b}/_emulator/aws/execute-api/x`, undefined, { service: 'execute-api', region: 'us-east-1' })).status, base);
  assert.equal(ok.value, 200);

  // Credentials past their expiration, signed by the AWS SDK's own signer: refused.
  const short = await start({ pool: { credentialsSeconds: 1 } });
  const c = (await call(short.page, (auth) => auth.getCredentials())).value;
  await new Promise((r) => setTimeout(r, 1500));
  const signer = new SignatureV4({ credentials: { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken }, region: 'us-east-1', service: 's3', sha256: Hash.bind(null, 'sha256'), uriEscapePath: false, applyChecksum: true });
  const u = new URL(`${base}/_emulator/aws/s3/b/k`);
  const signed = await signer.sign({ method: 'GET', protocol: 'http:', hostname: u.hostname, port: Number(u.port), path: u.pathname, query: {}, headers: { host: u.host } });
  const r = await fetch(u, { headers: signed.headers });
  assert.equal(r.status, 400);
  assert.match(await r.text(), /<Code>ExpiredToken<\/Code>/);
});

test('sign-out in a second tab clears the credentials in the first', async () => {
  const { pages: [a, b] } = await start({ guests: false, pages: 2 });
  assert.equal((await call(a, (auth) => auth.getCredentials())).value, null, 'signed out without guest access: null');
  await call(a, signIn, 'ann');
  assert.equal((await call(a, (auth) => auth.getCredentials())).value.authenticated, true);
  await call(b, (auth) => auth.signOut());
  await a.waitForTimeout(300);
  assert.equal((await call(a, (auth) => auth.getCredentials())).value, null);
});

test('@smithy/signature-v4 signs random requests exactly as the SDK does', async () => {
  const { page } = await start();
  await call(page, signIn, 'ann');
  const creds = (await call(page, (auth) => auth.getCredentials())).value;
  const pick = (a) => a[Math.floor(Math.random() * a.length)];
  const pieces = ['a', 'Z9', '-_.~', 'sp ace', 'ünï', '😀', '(x)', '!*', "'", '%', '+', '=', '&', '/', ':', '@', '$'];
  const word = () => Array.from({ length: 1 + Math.floor(Math.random() * 3) }, () => pick(pieces)).join('');
  let compared = 0;
  for (let i = 0; i < 60; i++) {
    const service = pick(['execute-api', 's3', 'lambda']);
    const segments = Array.from({ length: 1 + Math.floor(Math.random() * 3) }, () => encodeURIComponent(word()));
    const query = Array.from({ length: Math.floor(Math.random() * 4) }, () => `${encodeURIComponent(word())}=${encodeURIComponent(word())}`).join('&');
    const url = `https://example-${i}.execute-api.eu-west-1.amazonaws.com/${segments.join('/')}${query ? `?${query}` : ''}`;
    const method = pick(['GET', 'POST', 'PUT']);
    const body = method === 'GET' ? undefined : word().repeat(1 + Math.floor(Math.random() * 50));
    const ascii = () => word().replace(/[^\x20-\x7e]/g, 'q');
    const headers = { 'content-type': pick(['application/json', 'text/plain; charset=utf-8']), 'x-custom-Thing': `  ${ascii()}   ${ascii()} ` };
    const res = await call(page, (auth, r) => auth.signRequest(r.req, r.scope), { req: { url, method, headers, body }, scope: { service, region: 'eu-west-1' } });
    assert.ok(res.ok, `signRequest failed for ${url}: ${res.name}: ${res.message}`);
    const ours = res.value;
    // The same request, as the signer the AWS SDK uses sees it: the URL the SDK sends to, at the
    // time the SDK signed.
    const sent = new URL(ours.url);
    const q = {};
    for (const part of sent.search.slice(1).split('&').filter(Boolean)) {
      const [k, v = ''] = part.split('=').map(decodeURIComponent);
      q[k] = k in q ? [].concat(q[k], v) : v;
    }
    const amz = ours.headers['x-amz-date'];
    const date = new Date(Date.UTC(+amz.slice(0, 4), +amz.slice(4, 6) - 1, +amz.slice(6, 8), +amz.slice(9, 11), +amz.slice(11, 13), +amz.slice(13, 15)));
    const signer = new SignatureV4({ credentials: { accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey, sessionToken: creds.sessionToken }, region: 'eu-west-1', service, sha256: Hash.bind(null, 'sha256'), uriEscapePath: service !== 's3', applyChecksum: service === 's3' });
    const theirs = await signer.sign({ method, protocol: 'https:', hostname: sent.hostname, path: sent.pathname, query: q, headers: { host: sent.host, ...headers }, body }, { signingDate: date });
    assert.equal(ours.headers.authorization, theirs.headers.authorization, `${method} ${url} (${service})`);
    compared++;
  }
  assert.equal(compared, 60);
});

test('@aws-sdk/client-s3 with the SDK\'s credentials is accepted by the emulator', async () => {
  const { page } = await start();
  await call(page, signIn, 'bo');
  const c = (await call(page, (auth) => auth.getCredentials())).value;
  const s3 = new S3Client({
    region: 'us-east-1',
    endpoint: `${await emulator()}/_emulator/aws/s3`,
    forcePathStyle: true,
    credentials: { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  await s3.send(new PutObjectCommand({ Bucket: 'docs', Key: 'from node.txt', Body: 'written by the AWS SDK' }));
  const got = await s3.send(new GetObjectCommand({ Bucket: 'docs', Key: 'from node.txt' }));
  assert.equal(await got.Body.transformToString(), 'written by the AWS SDK');
  // The page reads the AWS SDK's object with its own signed request.
  const base = await emulator();
  const text = await call(page, async (auth, b) => (await auth.fetchSigned(`${b}/_emulator/aws/s3/docs/from%20node.txt`, undefined, { service: 's3', region: 'us-east-1' })).text(), base);
  assert.equal(text.value, 'written by the AWS SDK');
  // Wrong credentials: the AWS SDK surfaces S3's own error.
  const bad = new S3Client({ region: 'us-east-1', endpoint: `${base}/_emulator/aws/s3`, forcePathStyle: true, credentials: { accessKeyId: c.accessKeyId, secretAccessKey: 'x'.repeat(40), sessionToken: c.sessionToken } });
  await assert.rejects(bad.send(new GetObjectCommand({ Bucket: 'docs', Key: 'from node.txt' })), (e) => e.name === 'SignatureDoesNotMatch');
  // Their keep-alive sockets would hold the test process open.
  s3.destroy();
  bad.destroy();
});

test('the demo\'s credentials panel: guest credentials, a signed call', async () => {
  const s = await site(USERS, { pkgDir: PKG });
  const identityPoolId = await identityPool(s);
  s.setConfig({ userPoolId: s.pool.userPoolId, clientId: s.pool.clientId, endpoint: `${s.base}/`, emulator: `${s.base}/`, identityPoolId, identityEndpoint: `${s.base}/`, allowGuestAccess: true });
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e));
  await page.goto(s.origin);
  await page.waitForSelector('body[data-ready=true]');
  assert.equal(await page.isHidden('#aws-hint'), true);
  await page.click('#aws-call');
  await page.waitForFunction(() => /HTTP 200 from the signed call/.test(document.querySelector('#aws-out').textContent), null, { timeout: 10_000 });
  assert.match(await page.textContent('#aws-kind'), /guest/);
  assert.equal(JSON.parse(await page.textContent('#aws-result')).authenticated, false);
  await page.locator('#panel-aws').screenshot({ path: `${(await import('./support.mjs')).OUT}demo-aws.png` });
  await context.close();
  await s.server.close();
});
