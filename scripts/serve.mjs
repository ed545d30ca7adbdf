// A small static server for the demo: www/ at /, examples/ at /examples/, pkg/ at /pkg/, and
// /config.json (the CognitoAuth options for the running emulator). No dependencies, no bundler.
// Pages go out with a strict Content-Security-Policy (strictCsp below): no inline script, wasm
// allowed, connections to this origin and the emulator only.
//   node scripts/serve.mjs --port 8080 --emulator http://127.0.0.1:9229/
// Also importable: startServer({ port, config, csp }) → { url, close }.
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.ts': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

function safeJoin(base, rel) {
  const p = normalize(join(base, rel));
  return p === base || p.startsWith(base + sep) ? p : null;
}

/** A bare page for tests: loads nothing but lets a test import /pkg/ and drive the SDK. */
const BLANK = '<!doctype html><meta charset="utf-8"><title>blank</title><body>test page</body>';

/** The policy an app using cognito-wasm can run under: its own scripts, the wasm, and requests
 * to itself and to Cognito (here: the emulator, which serves the JSON API, the hosted UI's
 * token endpoint, the JWKS and the identity pool). */
export function strictCsp(emulatorUrl) {
  return `default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self' ${new URL(emulatorUrl).origin}`;
}

export async function startServer({ port = 8080, host = '127.0.0.1', config = {}, testPages = false, pkgDir = join(ROOT, 'pkg'), csp = null, files = {} } = {}) {
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://x');
    let path = decodeURIComponent(url.pathname);
    // Pages and scripts a test made (`files`: path → content), served like the others.
    if (testPages && path in files) {
      const type = TYPES[extname(path)] || 'text/html; charset=utf-8';
      const policy = typeof csp === 'function' ? csp() : csp;
      res.writeHead(200, { 'Content-Type': type, 'Cache-Control': 'no-store', ...(policy && type.startsWith('text/html') ? { 'Content-Security-Policy': policy } : {}) });
      return res.end(files[path]);
    }
    if (path === '/config.json') {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
      return res.end(JSON.stringify(typeof config === 'function' ? config() : config));
    }
    if (testPages && path.startsWith('/__test__/')) {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      return res.end(BLANK);
    }
    let file;
    if (path.startsWith('/pkg/')) file = safeJoin(resolve(pkgDir), path.slice(5));
    else if (path.startsWith('/examples/')) file = safeJoin(join(ROOT, 'examples'), path.slice(10));
    else file = safeJoin(join(ROOT, 'www'), path === '/' ? 'index.html' : path.slice(1));
    try {
      if (!file) throw new Error('outside');
      if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
      const body = await readFile(file);
      const headers = { 'Content-Type': TYPES[extname(file)] || 'application/octet-stream', 'Cache-Control': 'no-cache' };
      const policy = typeof csp === 'function' ? csp() : csp;
      if (policy && extname(file) === '.html') headers['Content-Security-Policy'] = policy;
      res.writeHead(200, headers);
      res.end(body);
    } catch {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('not found');
    }
  });
  await new Promise((ok, fail) => server.once('error', fail).listen(port, host, ok));
  const { port: actual } = server.address();
  // Closing also drops open connections: a browser's keep-alive or preconnected socket (no
  // request yet) would otherwise hold close() for up to a minute.
  const close = () =>
    new Promise((ok) => {
      server.close(ok);
      server.closeAllConnections();
    });
  return { url: `http://${host}:${actual}/`, port: actual, close };
}

/** The demo's CognitoAuth options for an emulator ready line. */
export function demoConfig(ready, origin) {
  return {
    userPoolId: ready.userPoolId,
    clientId: ready.clientId,
    endpoint: ready.endpoint,
    hostedUi: {
      domain: ready.hostedUiDomain,
      redirectSignIn: origin,
      redirectSignOut: origin,
      allowedReturnPaths: ['/', '/index.html', '/global.html', '/account/*'],
    },
    // The demo pool's userMigration trigger needs the password: retry SRP's UserNotFound once.
    migrateUsers: true,
    // The emulator's identity pool (the demo's AWS credentials panel).
    ...(ready.identityPoolId ? { identityPoolId: ready.identityPoolId, identityEndpoint: ready.endpoint, allowGuestAccess: true } : {}),
    emulator: ready.endpoint,
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const arg = (k, d) => {
    const i = process.argv.indexOf(k);
    return i > 0 ? process.argv[i + 1] : d;
  };
  const port = Number(arg('--port', '8080'));
  const emulator = arg('--emulator', 'http://127.0.0.1:9229/');
  const ready = await fetch(emulator).then((r) => r.json());
  const origin = `http://127.0.0.1:${port}/`;
  const s = await startServer({ port, config: demoConfig(ready, origin), csp: strictCsp(emulator) });
  console.log(`demo: ${s.url}`);
}
