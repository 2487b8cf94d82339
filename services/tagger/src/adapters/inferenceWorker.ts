// Body of an inference worker thread: owns one model (loaded with the runtime adapter) and answers
// the main thread's requests one at a time. onnxruntime-node runs a session synchronously on the
// calling thread, so running it here keeps the main thread free for Kafka, HTTP and Avro.
// Protocol (WorkerRequest / WorkerReply in workerEngine.ts): load → info, predict → predictions,
// dispose → done. Errors travel as { code, message, retriable, context }.
import { parentPort } from 'node:worker_threads';
import { OnnxEngineLoader, type OnnxEngine } from './modelEngine';
import type { WorkerReply, WorkerRequest } from './workerEngine';
import { errors, type WireError } from '../errors';

let engine: OnnxEngine | undefined;

function serialise(err: unknown): WireError {
  const e = err as { code?: unknown; message?: unknown; retriable?: unknown; context?: unknown };
  return {
    code: typeof e?.code === 'string' ? e.code : 'INFERENCE_WORKER_ERROR',
    message: typeof e?.message === 'string' ? e.message : String(err),
    retriable: e?.retriable === true,
    context: e?.context && typeof e.context === 'object' ? JSON.parse(JSON.stringify(e.context)) : {},
  };
}

async function handle(msg: WorkerRequest): Promise<{ reply: WorkerReply; transfer?: ArrayBuffer[] }> {
  try {
    if (msg.op === 'load') {
      engine = await new OnnxEngineLoader().load(msg.dir, msg.options);
      const { version, precision, location, manifestSha256, labels, entityTypes, maxLength } = engine;
      return { reply: { id: msg.id, ok: true, info: { version, precision, location, manifestSha256, labels: [...labels], entityTypes: [...entityTypes], maxLength } } };
    }
    if (msg.op === 'predict') {
      if (!engine) throw errors.create('NOT_READY');
      const segments = await engine.predictWire(msg.segments);
      // typed arrays that own their whole buffer are moved to the main thread, not copied
      const transfer = new Set<ArrayBuffer>();
      for (const p of segments) {
        for (const a of [p.tokenConfidence, p.tokenEntropy, p.embedding]) if (a.byteOffset === 0 && a.byteLength === a.buffer.byteLength) transfer.add(a.buffer as ArrayBuffer);
      }
      return { reply: { id: msg.id, ok: true, segments }, transfer: [...transfer] };
    }
    await engine?.dispose();
    engine = undefined;
    return { reply: { id: msg.id, ok: true } };
  } catch (err) {
    return { reply: { id: msg.id, ok: false, error: serialise(err) } };
  }
}

parentPort!.on('message', (msg: WorkerRequest) => {
  void handle(msg).then(({ reply, transfer }) => parentPort!.postMessage(reply, transfer));
});
