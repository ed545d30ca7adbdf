// Waits (up to 30 s) until a URL answers 200: `node scripts/wait-for.mjs http://127.0.0.1:9229/_emulator/health`
const url = process.argv[2];
const until = Date.now() + 30_000;
while (Date.now() < until) {
  try {
    if ((await fetch(url)).ok) process.exit(0);
  } catch {
    /* not up yet */
  }
  await new Promise((r) => setTimeout(r, 100));
}
console.error(`${url} did not answer within 30 s`);
process.exit(1);
