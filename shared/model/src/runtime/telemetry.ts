// onnxruntime's native library starts Microsoft's 1DS telemetry when the first session is
// created: it tries HTTPS uploads and leaves an empty mat-debug-<pid>.log in the temp folder.
// Off unless the operator sets ORT_DISABLE_TELEMETRY=0 explicitly; imported before onnxruntime-node.
if (process.env.ORT_DISABLE_TELEMETRY === undefined) process.env.ORT_DISABLE_TELEMETRY = '1';
export {};
