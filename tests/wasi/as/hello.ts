// An AssemblyScript program for wasi_snapshot_preview1, built with
// @assemblyscript/wasi-shim (its asconfig.json maps process, console,
// crypto, Date and abort to WASI imports). tests/suites/wasi.sh runs it:
// it prints its arguments and the variable GREETING, reads the clocks and
// random numbers, writes to stderr and exits with the code given last.
const argv = process.argv;
console.log("argc=" + argv.length.toString());
for (let i = 1; i < argv.length; i++) console.log("arg " + i.toString() + ": " + argv[i]);
console.log("GREETING=" + (process.env.has("GREETING") ? process.env.get("GREETING") : "(unset)"));

const now = Date.now();
if (now < 1600000000000) throw new Error("the realtime clock is before 2020");
const t0 = process.hrtime();
const t1 = process.hrtime();
if (t1 < t0) throw new Error("the monotonic clock went backwards");

const bytes = new Uint8Array(32);
crypto.getRandomValues(bytes);
let zeros = 0;
for (let i = 0; i < bytes.length; i++) if (bytes[i] == 0) zeros++;
if (zeros == bytes.length) throw new Error("random bytes are all zero");
console.log("random ok");

process.stderr.write("to stderr\n");
process.exit(argv.length > 1 ? I32.parseInt(argv[argv.length - 1]) : 0);
