#!/usr/bin/env node
// Runs an unchanged Node.js Lambda handler as a cognito-emulator trigger command:
//   "command": ["node", "emulator/adapters/lambda_adapter.mjs", "triggers/handler.mjs:handler"]
// FILE[:EXPORT] (default export name `handler`; an ES module or CommonJS file). Reads the event
// on stdin, calls the handler (async, or with a callback), prints the returned event on stdout.
// A thrown error becomes Lambda's error shape {"errorMessage", "errorType"} on stdout, exit 1.
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

const fail = (e) => {
  out(JSON.stringify({
    errorMessage: e && e.message !== undefined ? String(e.message) : String(e),
    errorType: (e && e.name) || 'Error',
  }));
  process.exit(1);
};

// The handler's own logging goes to stderr (CloudWatch, in Lambda): stdout carries the event.
const out = process.stdout.write.bind(process.stdout);
console.log = console.info = console.debug = (...a) => console.error(...a);

async function main() {
  const spec = process.argv[2];
  if (!spec) throw new Error('usage: lambda_adapter.mjs FILE[:EXPORT]');
  const at = spec.lastIndexOf(':');
  const [file, name] = at > 1 ? [spec.slice(0, at), spec.slice(at + 1)] : [spec, 'handler'];
  const mod = await import(pathToFileURL(resolve(file)).href);
  const fn = mod[name] ?? mod.default?.[name];
  if (typeof fn !== 'function') throw new Error(`${file} has no exported function ${name}`);
  let input = '';
  for await (const chunk of process.stdin) input += chunk;
  const event = JSON.parse(input);
  const context = {
    functionName: name, awsRequestId: Math.random().toString(16).slice(2),
    getRemainingTimeInMillis: () => 5000, callbackWaitsForEmptyEventLoop: true,
  };
  const result = await new Promise((res, rej) => {
    const callback = (err, value) => (err ? rej(err) : res(value));
    try {
      const out = fn(event, context, callback);
      if (out && typeof out.then === 'function') out.then(res, rej);
      else if (fn.length < 3) res(out);
    } catch (e) { rej(e); }
  });
  // A handler that returns nothing but changed the event in place (callback(null) style).
  out(JSON.stringify(result === undefined ? event : result));
}

main().catch(fail);
