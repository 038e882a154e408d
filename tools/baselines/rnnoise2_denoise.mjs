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
// (rnnoise_create(NULL)). The frame loop, command line and instantiation are shared with
// rnnoise_denoise.mjs (rnnoise_common.mjs).
import { join } from "node:path";
import { FETCH_HINT, JITSI_DIST, fail, instantiate, main, readFile, writeFile }
  from "./rnnoise_common.mjs";

const DEFAULT_MODULE = join(JITSI_DIST, "rnnoise-sync.js");

// Instantiate the wasm of PATH (bare, or inlined in glue whose minified-name tables are used).
function load(path) {
  const bytes = readFile(path, FETCH_HINT);
  if (bytes.length >= 4 && bytes.readUInt32LE(0) === 0x6d736100) {     // "\0asm"
    return instantiate(path, bytes);
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
  return instantiate(path, Buffer.from(b64, "base64"), exportOf, importOf);
}

function readF32(path) {
  const raw = readFile(path);
  if (raw.length % 4) fail(`${path}: ${raw.length} bytes, not whole float32 samples`);
  const x = new Float32Array(raw.length / 4);
  for (let i = 0; i < x.length; i++) x[i] = raw.readFloatLE(4 * i);
  return x;
}

function writeF32(path, y) {
  const out = Buffer.alloc(y.length * 4);
  for (let i = 0; i < y.length; i++) out.writeFloatLE(y[i], 4 * i);
  writeFile(path, out);
}

main(process.argv.slice(2), { label: "rnnoise2", option: "--module", ext: "f32",
                              path: process.env.VOCANA_RNNOISE2_MODULE || DEFAULT_MODULE,
                              read: readF32, load, write: writeF32 });
