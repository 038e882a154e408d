// SPDX-License-Identifier: MIT
// RNNoise baseline: denoise a 48 kHz mono WAV with the RNNoise v0.1 WebAssembly build of the npm
// package @jitsi/rnnoise-wasm (dist/rnnoise.wasm; tools/baselines/fetch-rnnoise.sh installs it).
//
//   node rnnoise_denoise.mjs [--wasm PATH] [-t] IN.wav OUT.wav
//
// IN: RIFF/WAVE, 48 kHz, PCM 16/24/32-bit or float32/64, channels averaged to mono. OUT: mono
// float32 WAV of IN's length, +-1 full scale, NOT delay compensated (the evaluator aligns).
// RNNoise works on 480-sample frames of floats in the 16-bit range (+-32768), so samples are
// scaled by 32768 in and back out; the last partial frame is zero-padded. -t prints the
// processing time (frame calls only) and real-time factor to stderr.
//
// The module is instantiated directly instead of through the package's Emscripten glue
// (rnnoise.js is an ES module built for browsers only); the wasm imports just two helpers,
// emscripten_resize_heap and emscripten_memcpy_big, provided below.
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const FRAME = 480;
const RATE = 48000;
const SCALE = 32768;
const HERE = dirname(fileURLToPath(import.meta.url));
const DEFAULT_WASM = join(HERE, "..", "..", "build-baselines", "rnnoise-npm", "node_modules",
                          "@jitsi", "rnnoise-wasm", "dist", "rnnoise.wasm");

function fail(msg) {
  process.stderr.write(`rnnoise_denoise: ${msg}\n`);
  process.exit(1);
}

function readWav(path) {
  let buf;
  try {
    buf = readFileSync(path);
  } catch (e) {
    fail(`${path}: ${e.message}`);
  }
  if (buf.length < 12 || buf.toString("latin1", 0, 4) !== "RIFF" ||
      buf.toString("latin1", 8, 12) !== "WAVE") {
    fail(`${path}: not a RIFF/WAVE file`);
  }
  let fmt = null;
  let data = null;
  for (let pos = 12; pos + 8 <= buf.length;) {
    const id = buf.toString("latin1", pos, pos + 4);
    const size = buf.readUInt32LE(pos + 4);
    const body = buf.subarray(pos + 8, Math.min(buf.length, pos + 8 + size));
    if (id === "fmt " && body.length >= 16) {
      let tag = body.readUInt16LE(0);
      if (tag === 0xfffe && body.length >= 26) tag = body.readUInt16LE(24);
      fmt = { tag, channels: body.readUInt16LE(2), rate: body.readUInt32LE(4),
              bits: body.readUInt16LE(14) };
    } else if (id === "data") {
      data = body;
    }
    pos += 8 + size + (size & 1);
  }
  if (!fmt || !data) fail(`${path}: missing fmt or data chunk`);
  if (fmt.rate !== RATE) fail(`${path}: ${fmt.rate} Hz, RNNoise needs ${RATE} Hz`);
  if (fmt.channels < 1) fail(`${path}: no channels`);
  const width = fmt.bits / 8;
  const frames = Math.floor(data.length / (width * fmt.channels));
  const read = (off) => {
    if (fmt.tag === 3 && fmt.bits === 32) return data.readFloatLE(off);
    if (fmt.tag === 3 && fmt.bits === 64) return data.readDoubleLE(off);
    if (fmt.tag === 1 && fmt.bits === 16) return data.readInt16LE(off) / 32768;
    if (fmt.tag === 1 && fmt.bits === 24) return data.readIntLE(off, 3) / 8388608;
    if (fmt.tag === 1 && fmt.bits === 32) return data.readInt32LE(off) / 2147483648;
    fail(`${path}: unsupported WAV format tag ${fmt.tag}, ${fmt.bits} bits`);
    return 0;
  };
  const x = new Float32Array(frames);
  for (let i = 0; i < frames; i++) {
    let s = 0;
    for (let c = 0; c < fmt.channels; c++) s += read((i * fmt.channels + c) * width);
    x[i] = s / fmt.channels;
  }
  return x;
}

function writeWav(path, x) {
  const payload = Buffer.from(x.buffer, x.byteOffset, x.byteLength);
  const head = Buffer.alloc(58);
  head.write("RIFF", 0, "latin1");
  head.writeUInt32LE(50 + payload.length, 4);
  head.write("WAVEfmt ", 8, "latin1");
  head.writeUInt32LE(18, 16);
  head.writeUInt16LE(3, 20);             // IEEE float
  head.writeUInt16LE(1, 22);
  head.writeUInt32LE(RATE, 24);
  head.writeUInt32LE(RATE * 4, 28);
  head.writeUInt16LE(4, 32);
  head.writeUInt16LE(32, 34);
  head.writeUInt16LE(0, 36);             // cbSize
  head.write("fact", 38, "latin1");
  head.writeUInt32LE(4, 42);
  head.writeUInt32LE(x.length, 46);
  head.write("data", 50, "latin1");
  head.writeUInt32LE(payload.length, 54);
  try {
    writeFileSync(path, Buffer.concat([head, payload]));
  } catch (e) {
    fail(`${path}: ${e.message}`);
  }
}

function loadRnnoise(wasmPath) {
  let bytes;
  try {
    bytes = readFileSync(wasmPath);
  } catch (e) {
    fail(`${wasmPath}: ${e.message} (run tools/baselines/fetch-rnnoise.sh)`);
  }
  let memory = null;
  const imports = {
    a: {
      // emscripten_resize_heap(requested bytes): grow linear memory, 64 KiB pages
      a: (requested) => {
        const have = memory.buffer.byteLength;
        if (requested <= have) return 1;
        try {
          memory.grow(Math.ceil((requested - have) / 65536));
          return 1;
        } catch (e) {
          return 0;
        }
      },
      // emscripten_memcpy_big(dest, src, n)
      b: (dest, src, n) => {
        new Uint8Array(memory.buffer).copyWithin(dest, src, src + n);
      },
    },
  };
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), imports);
  const e = instance.exports;
  memory = e.c;
  e.d();                                   // __wasm_call_ctors
  // export letters as mapped by the package's rnnoise.js glue
  return { memory, create: e.f, malloc: e.g, destroy: e.h, free: e.i, processFrame: e.j };
}

function main(argv) {
  let wasm = process.env.VOCANA_RNNOISE_WASM || DEFAULT_WASM;
  let timing = false;
  const files = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--wasm" && i + 1 < argv.length) wasm = argv[++i];
    else if (argv[i] === "-t") timing = true;
    else files.push(argv[i]);
  }
  if (files.length !== 2) fail("usage: rnnoise_denoise.mjs [--wasm PATH] [-t] IN.wav OUT.wav");
  const x = readWav(files[0]);
  const rnn = loadRnnoise(wasm);
  const st = rnn.create(0);                // NULL model: the built-in default weights
  const inPtr = rnn.malloc(FRAME * 4);
  const outPtr = rnn.malloc(FRAME * 4);
  if (!st || !inPtr || !outPtr) fail("RNNoise state allocation failed");
  const y = new Float32Array(x.length);
  const frames = Math.ceil(x.length / FRAME);
  const t0 = process.hrtime.bigint();
  for (let f = 0; f < frames; f++) {
    // views are re-made every frame: memory growth detaches the old buffer
    const heap = new Float32Array(rnn.memory.buffer);
    const inView = heap.subarray(inPtr >> 2, (inPtr >> 2) + FRAME);
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
  writeWav(files[1], y);
  if (timing) {
    const duration = x.length / RATE;
    process.stderr.write(`rnnoise: ${seconds.toFixed(3)} s for ${duration.toFixed(2)} s: ` +
                         `real-time factor ${(seconds / duration).toFixed(5)}\n`);
  }
}

main(process.argv.slice(2));
