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
// emscripten_resize_heap and emscripten_memcpy_big. The frame loop, command line and
// instantiation are shared with rnnoise2_denoise.mjs (rnnoise_common.mjs).
import { join } from "node:path";
import { FETCH_HINT, JITSI_DIST, RATE, fail, instantiate, main, readFile, writeFile }
  from "./rnnoise_common.mjs";

const DEFAULT_WASM = join(JITSI_DIST, "rnnoise.wasm");
// the minified names, as mapped by the package's rnnoise.js glue
const EXPORT_OF = { memory: "c", __wasm_call_ctors: "d", rnnoise_create: "f", malloc: "g",
                    rnnoise_destroy: "h", free: "i", rnnoise_process_frame: "j" };
const IMPORT_OF = { a: "emscripten_resize_heap", b: "emscripten_memcpy_big" };

function readWav(path) {
  const buf = readFile(path);
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
  writeFile(path, Buffer.concat([head, payload]));
}

const load = (path) => instantiate(path, readFile(path, FETCH_HINT), EXPORT_OF, IMPORT_OF);
main(process.argv.slice(2), { label: "rnnoise", option: "--wasm", ext: "wav",
                              path: process.env.VOCANA_RNNOISE_WASM || DEFAULT_WASM,
                              read: readWav, load, write: writeWav });
