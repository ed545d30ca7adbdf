// The npm package as an app gets it: `npm pack` of pkg/, installed into a fresh project from the
// tarball, imported by name, used from Node (memory storage) to sign in against the emulator,
// and type-checked with TypeScript --strict (the declarations are precise: wrong calls fail).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPool, emulator } from '../node/emulator.mjs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

test('npm pack → install from the tarball → import, sign in, type-check', async () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'pkg/package.json'), 'utf8'));
  for (const k of ['name', 'version', 'license', 'repository', 'types', 'files', 'sideEffects']) assert.ok(k in pkg, `package.json has ${k}`);
  assert.equal(pkg.sideEffects, false);

  const dir = mkdtempSync(join(tmpdir(), 'cognito-wasm-app-'));
  try {
    const out = execFileSync('npm', ['pack', '--json', '--pack-destination', dir], { cwd: join(ROOT, 'pkg'), encoding: 'utf8' });
    const [{ filename, files }] = JSON.parse(out);
    const packed = files.map((f) => f.path).sort();
    // The files of every part (pkg/parts.json), each with its SRI hash in integrity.json.
    const parts = JSON.parse(readFileSync(join(ROOT, 'pkg/parts.json'), 'utf8'));
    const partFiles = [...new Set([...parts.main, ...Object.values(parts.parts).flat()])];
    assert.deepEqual(Object.keys(parts.parts).sort(), ['account', 'accounts', 'aws', 'hosted', 'signIn', 'verify']);
    const own = ['LICENSE', 'README.md', 'cognito_wasm.d.ts', 'cognito_wasm.global.js', 'cognito_wasm.js.map', 'cognito_wasm_bg.wasm.d.ts', 'integrity.json', 'package.json', 'parts.json'];
    assert.deepEqual(packed, [...new Set([...own, ...partFiles])].sort());
    const sri = JSON.parse(readFileSync(join(ROOT, 'pkg/integrity.json'), 'utf8'));
    for (const f of [...partFiles, 'cognito_wasm.global.js']) {
      assert.equal(sri[f], 'sha384-' + createHash('sha384').update(readFileSync(join(ROOT, 'pkg', f))).digest('base64'), f);
    }
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--offline', join(dir, filename)], { cwd: dir, stdio: 'pipe' });

    const base = await emulator();
    const { userPoolId, clientId } = await createPool({ users: [{ username: 'npm', password: 'Passw0rd!', attributes: { email: 'npm@example.com' } }] });
    writeFileSync(
      join(dir, 'app.mjs'),
      `import { readFileSync } from 'node:fs';
       import { initSync, CognitoAuth, version } from 'cognito-wasm';
       initSync({ module: readFileSync(new URL(import.meta.resolve('cognito-wasm/cognito_wasm_bg.wasm'))) });
       const auth = new CognitoAuth({ userPoolId: '${userPoolId}', clientId: '${clientId}', endpoint: '${base}/', storage: 'memory' });
       const r = await auth.signIn({ username: 'npm', password: 'Passw0rd!' });
       const s = await auth.getSession();
       let wrong;
       try { await auth.signIn({ username: 'npm', password: 'x' }); } catch (e) { wrong = e.name; }
       // A method of every part: each part's module is read from the installed package.
       const attributes = await auth.getUserAttributes();
       const claims = await auth.verifyToken(s.idToken);
       for (const part of ['hosted', 'aws']) await auth.preload(part);
       let badPart;
       try { await auth.preload('nope'); } catch (e) { badPart = e.name; }
       await auth.signOut();
       console.log(JSON.stringify({ version: version(), signedIn: r.signedIn, user: s.username, wrong, email: attributes.email, sub: claims.sub === attributes.sub, badPart, after: await auth.getSession(), method: auth.signIn.name, enumerable: Object.keys(CognitoAuth.prototype) }));
       auth.free();`,
    );
    const result = JSON.parse(execFileSync('node', ['app.mjs'], { cwd: dir, encoding: 'utf8', timeout: 60_000 }).trim());
    assert.deepEqual(result, { version: pkg.version, signedIn: true, user: 'npm', wrong: 'InvalidStateError', email: 'npm@example.com', sub: true, badPart: 'ConfigError', after: null, method: 'signIn', enumerable: [] });

    // TypeScript: correct use compiles; wrong use is rejected at the marked lines.
    writeFileSync(
      join(dir, 'check.ts'),
      `import init, { CognitoAuth } from 'cognito-wasm';
       import type { SignInResult, CognitoError, AuthEvent, NextStep, AuthFactor, Passkey, AccountSummary, Session } from 'cognito-wasm';
       await init();
       const auth = new CognitoAuth({ userPoolId: 'us-east-1_X1', clientId: 'c', storage: 'sessionStorage', hostedUi: { domain: 'd.example', redirectSignIn: 'https://a.example/' } });
       const r: SignInResult = await auth.signIn({ username: 'a', password: 'b' });
       if (!r.signedIn) {
         const step: NextStep = r.nextStep;
         if (step.challenge === 'SMS_MFA') { const d: string | null = step.codeDeliveryDetails.destination; void d; }
         if (step.challenge === 'MFA_SETUP' && step.totpSetup) { const u: string = step.totpSetup.uri; void u; }
       }
       const s = await auth.getSession();
       const at: string | undefined = s?.accessToken;
       const off: () => void = auth.onAuthEvent((e: AuthEvent) => { const t: 'signedIn' | 'signedOut' | 'tokenRefresh' | 'tokenRefreshFailure' | 'accountSwitched' | 'credentialsRefresh' | 'credentialsRefreshFailure' | 'retrying' = e.type; const r: number | undefined = e.retry?.delayMs; void t; void r; });
       off();
       try { await auth.signOut({ global: true }); } catch (e) { const err = e as CognitoError; const retry: boolean = err.retryable; void retry; }
       const fromAmplify: CognitoAuth = CognitoAuth.fromAmplifyConfig({ auth: { user_pool_id: 'us-east-1_X1', user_pool_client_id: 'c' } }, { storage: 'memory' });
       void fromAmplify;
       // @ts-expect-error not an Amplify configuration
       CognitoAuth.fromAmplifyConfig({ userPool: 'x' });
       // @ts-expect-error userPoolId must be a string
       new CognitoAuth({ userPoolId: 1, clientId: 'c' });
       // @ts-expect-error clientId is required
       new CognitoAuth({ userPoolId: 'us-east-1_X1' });
       // @ts-expect-error no such option
       await auth.signIn({ user: 'a' });
       // @ts-expect-error unknown flow
       await auth.signIn({ username: 'a', flow: 'MAGIC' });
       // Choice-based sign-in: a passkey needs no password, a password factor does.
       const pk: SignInResult = await auth.signIn({ username: 'a', flow: 'USER_AUTH', preferredChallenge: 'WEB_AUTHN' });
       if (!pk.signedIn && pk.nextStep.challenge === 'SELECT_CHALLENGE') { const f: AuthFactor[] = pk.nextStep.availableChallenges; await auth.confirmSignIn({ factor: f[0], password: 'p' }); }
       const keys: Passkey[] = await auth.listPasskeys();
       const att: 'platform' | 'cross-platform' | null = keys[0].authenticatorAttachment; void att;
       const supported: boolean = auth.isPasskeySupported(); void supported;
       // @ts-expect-error PASSWORD_SRP needs the password
       await auth.signIn({ username: 'a', flow: 'USER_AUTH', preferredChallenge: 'PASSWORD_SRP' });
       // @ts-expect-error SRP needs the password
       await auth.signIn({ username: 'a' });
       // @ts-expect-error no such factor
       await auth.signIn({ username: 'a', flow: 'USER_AUTH', preferredChallenge: 'MAGIC_LINK' });
       await auth.preload('signIn');
       // Several accounts and passkey MFA (#26).
       await auth.signIn({ username: 'b', password: 'p', addAccount: true });
       const accounts: AccountSummary[] = await auth.listAccounts();
       const cur: boolean = accounts[0].current; void cur;
       const switched: Session = await auth.switchAccount(accounts[0].sub ?? accounts[0].username); void switched;
       await auth.signOut({ allAccounts: true });
       await auth.signInWithRedirect({ provider: 'Google', addAccount: true });
       await auth.updateMfaPreference({ webAuthn: 'enabled' });
       const wa: 'enabled' | 'disabled' = (await auth.fetchMfaPreference()).webAuthn; void wa;
       // @ts-expect-error passkey MFA has no PREFERRED
       await auth.updateMfaPreference({ webAuthn: 'PREFERRED' });
       await auth.preload('accounts');
       // @ts-expect-error no such part
       await auth.preload('everything');
       // @ts-expect-error storage must be a known kind or a store object
       new CognitoAuth({ userPoolId: 'us-east-1_X1', clientId: 'c', storage: 'cookies' });
       void at;`,
    );
    // With and without esnext.disposable in the app's lib, and without skipLibCheck: the
    // package's own declarations must compile either way.
    for (const lib of [['es2022', 'dom'], ['es2022', 'esnext.disposable', 'dom']]) {
      writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true, noEmit: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', lib, skipLibCheck: false }, files: ['check.ts'] }));
      try {
        execFileSync(join(ROOT, 'node_modules/.bin/tsc'), ['-p', dir], { cwd: dir, encoding: 'utf8' });
      } catch (e) {
        assert.fail(`tsc with lib ${lib}: ${e.stdout}${e.stderr}`);
      }
    }
    // The public class and its methods' interface are free of `any`.
    const dts = readFileSync(join(dir, 'node_modules/cognito-wasm/cognito_wasm.d.ts'), 'utf8');
    for (const head of ['export class CognitoAuth', 'export interface CognitoAuth']) {
      const at = dts.indexOf(head);
      assert.ok(at >= 0, `${head} is declared`);
      assert.doesNotMatch(dts.slice(at, dts.indexOf('\n}', at)), /\bany\b/);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
