// SPDX-License-Identifier: MIT
// What the two RNNoise baselines share. rnnoise_denoise.mjs (v0.1, WAV files) and
// rnnoise2_denoise.mjs (0.2, headerless float32) differ only in their file formats and in where
// the wasm and its minified names come from; this module has the rest: the command line
// ([--OPTION PATH] [-t] IN OUT), the error exit, reading and writing files, instantiating an
// Emscripten build of RNNoise with the runtime helpers it imports, and the frame loop with its
// -t timing line.
//
// RNNoise works on 480-sample frames of floats in the 16-bit range (+-32768), so samples are
// scaled by 32768 in and back out; the last partial frame is zero-padded. The model is the
// built-in one (rnnoise_create(NULL)). -t prints the processing time (frame calls only) and the
// real-time factor to stderr: "LABEL: S s for D s: real-time factor R" (train/eval/systems.py
// reads the last word).
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const FRAME = 480;
export const RATE = 48000;
export const SCALE = 32768;
// where tools/baselines/fetch-rnnoise.sh installs @jitsi/rnnoise-wasm 0.2.1 (both models)
export const JITSI_DIST = join(dirname(fileURLToPath(import.meta.url)), "..", "..",
                               "build-baselines", "rnnoise-npm", "node_modules", "@jitsi",
                               "rnnoise-wasm", "dist");
export const FETCH_HINT = " (run tools/baselines/fetch-rnnoise.sh)";

let program = "rnnoise";                   // the prefix of error messages, set by main()

export function fail(msg) {
  process.stderr.write(`${program}: ${msg}\n`);
  process.exit(1);
}

export function readFile(path, hint = "") {
  try {
    return readFileSync(path);
  } catch (e) {
    fail(`${path}: ${e.message}${hint}`);
  }
  return null;
}

export function writeFile(path, bytes) {
  try {
    writeFileSync(path, bytes);
  } catch (e) {
    fail(`${path}: ${e.message}`);
  }
}

// Instantiate the Emscripten-built RNNoise `wasm` (bytes read from `where`, named in errors)
// directly, without its glue. exportOf maps C names (rnnoise_create, malloc, memory, ...) to the
// minified export names and importOf minified import names to C names; a build that keeps its
// real names needs neither. Returns { memory, create, destroy, processFrame, malloc, free }.
export function instantiate(where, wasm, exportOf = {}, importOf = {}) {
  let module;
  try {
    module = new WebAssembly.Module(wasm);
  } catch (e) {
    fail(`${where}: not a valid WebAssembly module: ${e.message}`);
  }
  let memory = null;
  const memcpy = (dest, src, n) => {
    new Uint8Array(memory.buffer).copyWithin(dest, src, src + n);
  };
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
    emscripten_memcpy_big: memcpy,
    emscripten_memcpy_js: memcpy,
    __assert_fail: () => fail("assertion failed inside RNNoise"),
    abort: () => fail("RNNoise aborted"),
    fd_write: () => 0,                      // libc's stdout/stderr: nothing should be printed
  };
  const imports = {};
  for (const imp of WebAssembly.Module.imports(module)) {
    if (imp.kind !== "function") fail(`${where}: unsupported import ${imp.module}.${imp.name}`);
    const fn = helpers[importOf[imp.name] || imp.name];
    if (!fn) fail(`${where}: unknown import ${imp.module}.${imp.name}`);
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
    if (!v) fail(`${where}: export for ${k} not found`);
  }
  if (ex.emscripten_stack_init) ex.emscripten_stack_init();
  const ctors = get("__wasm_call_ctors");
  if (ctors) ctors();
  return rnn;
}

// Denoise x (Float32Array, +-1) with a fresh state: { y (x's length), seconds (frame calls) }.
function denoise(rnn, x) {
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
  return { y, seconds };
}

// The whole program: `LABEL_denoise.mjs [OPTION PATH] [-t] IN.EXT OUT.EXT`.
//   label: the -t line's prefix (errors are prefixed LABEL_denoise, the script's name);
//   option, path: the option that picks the RNNoise build and its default; ext: file extension
//   in the usage line; read(IN) -> Float32Array; load(PATH) -> instantiate()'s object;
//   write(OUT, Float32Array).
export function main(argv, { label, option, path, ext, read, load, write }) {
  const name = `${label}_denoise`;
  program = name;
  let timing = false;
  const files = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === option && i + 1 < argv.length) path = argv[++i];
    else if (argv[i] === "-t") timing = true;
    else files.push(argv[i]);
  }
  if (files.length !== 2) fail(`usage: ${name}.mjs [${option} PATH] [-t] IN.${ext} OUT.${ext}`);
  const x = read(files[0]);
  const { y, seconds } = denoise(load(path), x);
  write(files[1], y);
  if (timing) {
    const duration = x.length / RATE;
    process.stderr.write(`${label}: ${seconds.toFixed(3)} s for ${duration.toFixed(2)} s: ` +
                         `real-time factor ${(seconds / duration).toFixed(5)}\n`);
  }
}
