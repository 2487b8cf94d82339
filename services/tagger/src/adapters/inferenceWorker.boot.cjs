// Entry of an inference worker thread. Plain CommonJS so that it starts under any parent (tsx,
// jest, plain node): it registers tsx's TypeScript loader for this thread, then runs the worker.
require('tsx/cjs/api').register();
require('./inferenceWorker.ts');
