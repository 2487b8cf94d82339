// Jest test environment for suites that run onnxruntime-node.
//
// jest-environment-node gives each test file its own realm with its own typed-array classes, while
// onnxruntime-node's native binding creates output tensors with the host realm's Float32Array;
// onnxruntime-common then rejects them ("A float32 tensor's data must be type of function
// Float32Array()"). Sharing the host's typed-array constructors with the test realm fixes that.
//
// Use it per file with a docblock at the very top of the test file:
//   /** @jest-environment ./shared/model/jest-environment.js */
// (the path is resolved from the repository root, jest's rootDir).
const { TestEnvironment } = require('jest-environment-node');

const SHARED = [
  'ArrayBuffer', 'SharedArrayBuffer', 'DataView',
  'Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array',
  'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array',
];

class OnnxRuntimeEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of SHARED) {
      if (typeof globalThis[name] === 'function') this.global[name] = globalThis[name];
    }
  }
}

module.exports = OnnxRuntimeEnvironment;
