// A jest environment for suites that run ONNX Runtime (the gate's evaluator): jest gives each test
// file its own realm, whose typed-array constructors differ from the ones onnxruntime-node's native
// binding checks against ("A float32 tensor's data must be type of function Float32Array()").
// Sharing the outer realm's typed arrays and ArrayBuffer makes both sides agree. Plain Node (the
// services themselves) is unaffected. Use with a `@jest-environment ./test/orchestrator/onnxEnvironment.ts` docblock.
import { TestEnvironment } from 'jest-environment-node';

const SHARED = ['ArrayBuffer', 'Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array', 'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array'] as const;

export default class OnnxEnvironment extends TestEnvironment {
  constructor(...args: ConstructorParameters<typeof TestEnvironment>) {
    super(...args);
    const outer = globalThis as unknown as Record<string, unknown>;
    for (const name of SHARED) (this.global as unknown as Record<string, unknown>)[name] = outer[name];
  }
}
