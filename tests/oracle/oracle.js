// compressd's reference runner: executes a .tflite model in TensorFlow Lite's WebAssembly runtime
// (npm @tensorflow/tfjs-tflite, pinned in package.json) and writes each output as raw bytes.
//
//   node oracle.js MODEL --out DIR [--in FILE]... [--threads N] [--repeat N] [--variant V]
//
// Without --in, inputs are filled deterministically: float inputs with sin(0.01*k), integer inputs
// with (k % 255) - 128 (the same rule as `compressctl run`). Writes DIR/out_<i>.bin and
// DIR/result.json {ok, error?, inputs, outputs, ms:{min,median,max}}.
// Exit status: 0 ran, 2 the runtime rejected the model or inference failed, 1 usage error.
'use strict';
const fs = require('fs');
const path = require('path');

function fail(msg) {
  process.stderr.write(`oracle.js: ${msg}\n`);
  process.exit(1);
}

function parse(argv) {
  const opts = {inputs: [], threads: 1, repeat: 1, variant: 'tflite_web_api_cc_simd'};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const next = () => (i + 1 < argv.length ? argv[++i] : fail(`${arg} needs a value`));
    switch (arg) {
      case '--out': opts.out = next(); break;
      case '--in': opts.inputs.push(next()); break;
      case '--threads': opts.threads = parseInt(next(), 10); break;
      case '--repeat': opts.repeat = Math.max(1, parseInt(next(), 10)); break;
      case '--variant': opts.variant = next(); break;
      default:
        if (arg.startsWith('--')) fail(`unknown option ${arg}`);
        if (opts.model) fail(`unexpected argument ${arg}`);
        opts.model = arg;
    }
  }
  if (!opts.model || !opts.out) fail('usage: oracle.js MODEL --out DIR [--in FILE]...');
  return opts;
}

const list = (v) => Array.from({length: v.size()}, (_, i) => v.get(i));
const describe = (t) => ({name: t.name, type: t.dataType, shape: t.shape.split(',').map(Number)});

async function main() {
  const opts = parse(process.argv.slice(2));
  const pkg = path.dirname(require.resolve('@tensorflow/tfjs-tflite/package.json'));
  const wasm = path.join(pkg, 'wasm');
  const factory = require(path.join(wasm, `${opts.variant}.js`));
  const runtime = await factory({
    locateFile: (f) => path.join(wasm, f),
    wasmBinary: fs.readFileSync(path.join(wasm, `${opts.variant}.wasm`)),
    print: () => {},
    printErr: (s) => process.stderr.write(`${s}\n`),
  });
  fs.mkdirSync(opts.out, {recursive: true});
  const result = (r) => {
    fs.writeFileSync(path.join(opts.out, 'result.json'), JSON.stringify(r, null, 2));
    process.stdout.write(`${JSON.stringify(r)}\n`);
  };
  const bytes = fs.readFileSync(opts.model);
  const ptr = runtime._malloc(bytes.length);
  runtime.HEAPU8.set(bytes, ptr);
  const created = runtime.TFLiteWebModelRunner.CreateFromBufferAndOptions(
      ptr, bytes.length, {numThreads: opts.threads, enableProfiling: false,
                          maxProfilingBufferEntries: 1024});
  if (!created.ok()) {
    result({ok: false, error: created.errorMessage()});
    process.exit(2);
  }
  const runner = created.value();
  const inputs = list(runner.GetInputs());
  if (opts.inputs.length && opts.inputs.length !== inputs.length) {
    fail(`model has ${inputs.length} inputs, ${opts.inputs.length} --in given`);
  }
  inputs.forEach((tensor, i) => {
    const view = tensor.data();
    if (opts.inputs.length) {
      const raw = fs.readFileSync(opts.inputs[i]);
      if (raw.length !== view.byteLength) {
        fail(`input ${i} (${tensor.name}) needs ${view.byteLength} bytes, got ${raw.length}`);
      }
      new Uint8Array(view.buffer, view.byteOffset, view.byteLength).set(raw);
    } else {
      const isFloat = view instanceof Float32Array || view instanceof Float64Array;
      for (let k = 0; k < view.length; k++) view[k] = isFloat ? Math.sin(0.01 * k) : (k % 255) - 128;
    }
  });
  const ms = [];
  let ok = true;
  for (let r = 0; r < opts.repeat && ok; r++) {
    const t0 = process.hrtime.bigint();
    ok = runner.Infer();
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  ms.sort((a, b) => a - b);
  const outputs = list(runner.GetOutputs()).map((tensor, i) => {
    const view = tensor.data();
    const file = `out_${i}.bin`;
    fs.writeFileSync(path.join(opts.out, file), Buffer.from(view.buffer, view.byteOffset, view.byteLength));
    return {...describe(tensor), file};
  });
  result({ok, inputs: inputs.map(describe), outputs,
          ms: {min: ms[0], median: ms[Math.floor(ms.length / 2)], max: ms[ms.length - 1]}});
  process.exit(ok ? 0 : 2);
}

main().catch((e) => {
  process.stderr.write(`oracle.js: ${(e && e.stack) || e}\n`);
  process.exit(2);
});
