// SPDX-License-Identifier: MIT
// RNNoise 0.2 baseline: denoise headerless float32 48 kHz mono audio with xiph's RNNoise 0.2
// (the 2024 release model) compiled to WebAssembly, as shipped inlined in dist/rnnoise-sync.js of
// the npm package @jitsi/rnnoise-wasm 0.2.1 (tools/baselines/fetch-rnnoise.sh installs it).
//
//   node rnnoise2_denoise.mjs [--module PATH] [-t] IN.f32 OUT.f32
//
// IN, OUT: headerless little-endian float32, mono, 48 kHz, +-1 full scale (the contract of
// baseline-speex / baseline-webrtc). OUT has IN's length and is NOT delay compensated (the
// evaluator aligns; RNNoise 0.2 delays by 960 samples). RNNoise works on 480-sample frames of
// floats in the 16-bit range, so samples are scaled by 32768 in and back out; the last partial
// frame is zero-padded. -t prints the processing time (frame calls only) and the real-time
// factor to stderr.
//
// --module PATH: an Emscripten glue .js with the wasm inlined as base64 (the default, jitsi's
// rnnoise-sync.js, or @shiguredo/rnnoise-wasm's dist/rnnoise.js), or a bare .wasm file. The glue
// itself is not run (it is a browser-only ES module): the wasm is decoded from it and
// instantiated directly. Minified export/import names are read from the glue's own tables
// (`Module["_rnnoise_create"] = asm["h"]`, `asmLibraryArg = {"a": _emscripten_resize_heap}`);
// builds that keep real names need no table. The model is the built-in one
// (rnnoise_create(NULL)).
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const FRAME = 480;
const RATE = 48000;
const SCALE = 32768;
const HERE = dirname(fileURLToPath(import.meta.url));
const DEFAULT_MODULE = join(HERE, "..", "..", "build-baselines", "rnnoise-npm", "node_modules",
                            "@jitsi", "rnnoise-wasm", "dist", "rnnoise-sync.js");

function fail(msg) {
  process.stderr.write(`rnnoise2_denoise: ${msg}\n`);
  process.exit(1);
}

function readFile(path, hint = "") {
  try {
    return readFileSync(path);
  } catch (e) {
    fail(`${path}: ${e.message}${hint}`);
  }
  return null;
}

// The wasm bytes plus the glue's minified-name tables (empty for a bare .wasm).
function loadModuleFile(path) {
  const bytes = readFile(path, " (run tools/baselines/fetch-rnnoise.sh)");
  if (bytes.length >= 4 && bytes.readUInt32LE(0) === 0x6d736100) {     // "\0asm"
    return { wasm: bytes, exportOf: {}, importOf: {} };
  }
  const text = bytes.toString("latin1");
  // "\0asm" in base64 is "AGFzbQ": take the longest such string literal
  let b64 = "";
  for (const m of text.matchAll(/AGFzbQ[A-Za-z0-9+/]*={0,2}/g)) {
    if (m[0].length > b64.length) b64 = m[0];
  }
  if (!b64) fail(`${path}: no inlined (base64) WebAssembly module found`);
  const exportOf = {};                     // C name -> export name
  for (const m of text.matchAll(/Module\["_(\w+)"\]\s*=\s*asm\["(\w+)"\]/g)) exportOf[m[1]] = m[2];
  const mem = text.match(/wasmMemory\s*=\s*Module\["asm"\]\["(\w+)"\]/);
  if (mem) exportOf.memory = mem[1];
  const importOf = {};                     // import name -> C name
  const lib = text.match(/asmLibraryArg\s*=\s*\{([^}]*)\}/);
  if (lib) {
    for (const m of lib[1].matchAll(/"(\w+)"\s*:\s*_(\w+)/g)) importOf[m[1]] = m[2];
  }
  return { wasm: Buffer.from(b64, "base64"), exportOf, importOf };
}

function instantiate(path) {
  const { wasm, exportOf, importOf } = loadModuleFile(path);
  let module;
  try {
    module = new WebAssembly.Module(wasm);
  } catch (e) {
    fail(`${path}: not a valid WebAssembly module: ${e.message}`);
  }
  let memory = null;
  const helpers = {
    // grow linear memory (64 KiB pages) to at least `requested` bytes; 1 on success
    emscripten_resize_heap: (requested) => {
      requested >>>= 0;
      const have = memory.buffer.byteLength;
      if (requested <= have) return 1;
      try {
        memory.grow(Math.ceil((requested - have) / 65536));
        return 1;
      } catch (e) {
        return 0;
      }
    },
    emscripten_memcpy_big: (dest, src, n) => {
      new Uint8Array(memory.buffer).copyWithin(dest, src, src + n);
    },
    emscripten_memcpy_js: (dest, src, n) => {
      new Uint8Array(memory.buffer).copyWithin(dest, src, src + n);
    },
    __assert_fail: () => fail("assertion failed inside RNNoise"),
    abort: () => fail("RNNoise aborted"),
    fd_write: () => 0,                      // libc's stdout/stderr: nothing should be printed
  };
  const imports = {};
  for (const imp of WebAssembly.Module.imports(module)) {
    if (imp.kind !== "function") fail(`${path}: unsupported import ${imp.module}.${imp.name}`);
    const fn = helpers[importOf[imp.name] || imp.name];
    if (!fn) fail(`${path}: unknown import ${imp.module}.${imp.name}`);
    (imports[imp.module] ||= {})[imp.name] = fn;
  }
  const ex = new WebAssembly.Instance(module, imports).exports;
  const get = (name) => ex[exportOf[name] || name];
  memory = get("memory") || Object.values(ex).find((v) => v instanceof WebAssembly.Memory);
  const rnn = {
    memory,
    create: get("rnnoise_create"),
    destroy: get("rnnoise_destroy"),
    processFrame: get("rnnoise_process_frame"),
    malloc: get("malloc"),
    free: get("free"),
  };
  for (const [k, v] of Object.entries(rnn)) {
    if (!v) fail(`${path}: export for ${k} not found`);
  }
  if (ex.emscripten_stack_init) ex.emscripten_stack_init();
  const ctors = get("__wasm_call_ctors");
  if (ctors) ctors();
  return rnn;
}

function main(argv) {
  let modulePath = process.env.VOCANA_RNNOISE2_MODULE || DEFAULT_MODULE;
  let timing = false;
  const files = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--module" && i + 1 < argv.length) modulePath = argv[++i];
    else if (argv[i] === "-t") timing = true;
    else files.push(argv[i]);
  }
  if (files.length !== 2) fail("usage: rnnoise2_denoise.mjs [--module PATH] [-t] IN.f32 OUT.f32");
  const raw = readFile(files[0]);
  if (raw.length % 4) fail(`${files[0]}: ${raw.length} bytes, not whole float32 samples`);
  const x = new Float32Array(raw.length / 4);
  for (let i = 0; i < x.length; i++) x[i] = raw.readFloatLE(4 * i);

  const rnn = instantiate(modulePath);
  const st = rnn.create(0);                // NULL model: the built-in weights
  const inPtr = rnn.malloc(FRAME * 4);
  const outPtr = rnn.malloc(FRAME * 4);
  if (!st || !inPtr || !outPtr) fail("RNNoise state allocation failed");
  const y = new Float32Array(x.length);
  const frames = Math.ceil(x.length / FRAME);
  const t0 = process.hrtime.bigint();
  for (let f = 0; f < frames; f++) {
    // views are re-made every frame: memory growth detaches the old buffer
    const inView = new Float32Array(rnn.memory.buffer, inPtr, FRAME);
    const n = Math.min(FRAME, x.length - f * FRAME);
    for (let i = 0; i < FRAME; i++) inView[i] = i < n ? x[f * FRAME + i] * SCALE : 0;
    rnn.processFrame(st, outPtr, inPtr);
    const outView = new Float32Array(rnn.memory.buffer, outPtr, FRAME);
    for (let i = 0; i < n; i++) y[f * FRAME + i] = outView[i] / SCALE;
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  rnn.free(inPtr);
  rnn.free(outPtr);
  rnn.destroy(st);

  const out = Buffer.alloc(y.length * 4);
  for (let i = 0; i < y.length; i++) out.writeFloatLE(y[i], 4 * i);
  try {
    writeFileSync(files[1], out);
  } catch (e) {
    fail(`${files[1]}: ${e.message}`);
  }
  if (timing) {
    const duration = x.length / RATE;
    process.stderr.write(`rnnoise2: ${seconds.toFixed(3)} s for ${duration.toFixed(2)} s: ` +
                         `real-time factor ${(seconds / duration).toFixed(5)}\n`);
  }
}

main(process.argv.slice(2));
