// One inference worker thread: ONNX Runtime sessions only, no OpenCV. onnxruntime-node is a N-API
// (context-aware) addon and loads in every thread; the OpenCV binding is not, so image work stays on
// the engine's thread and only pixels travel here (in shared memory the worker reads in place).
import { parentPort } from 'node:worker_threads';
import { loadLocalModel, type OnnxModel } from '../vision/onnx-session.js';
import type { FromWorker, ToWorker } from './protocol.js';

const port = parentPort!;
/** Loading or loaded: a run that arrives while its model still loads waits for it. */
const models = new Map<number, Promise<OnnxModel>>();
const post = (m: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);
const describe = (e: unknown) => (e instanceof Error ? e.message : String(e));

port.on('message', (m: ToWorker) => {
  if (m.type === 'load') {
    const loading = loadLocalModel(m.file, { threads: m.threads }); // already rewritten by the pool if asked
    models.set(m.key, loading);
    loading.then((model) => {
      post({ type: 'loaded', key: m.key, inputName: model.inputName, outputNames: [...model.outputNames], inputShape: [...model.inputShape] });
    }, (e: unknown) => post({ type: 'load-failed', key: m.key, message: describe(e) }));
  } else if (m.type === 'run') {
    const loading = models.get(m.key);
    if (!loading) { post({ type: 'failed', id: m.id, message: `model ${m.key} is not loaded in this worker` }); return; }
    loading.then(async (model) => {
      const out = await model.run(m.input, m.dims);
      const outputs: Record<string, Float32Array> = {};
      for (const name of model.outputNames) {
        const t = out[name];
        if (t?.type === 'float32') outputs[name] = t.data as Float32Array;
      }
      // onnxruntime-node gives each output its own ArrayBuffer: handed over, not copied (a 640×480 frame's
      // detector outputs are 0.5 MB). Should a runtime ever keep one, cloning copies it instead.
      const buffers = [...new Set(Object.values(outputs).map((o) => o.buffer))].filter((b): b is ArrayBuffer => b instanceof ArrayBuffer);
      try {
        post({ type: 'result', id: m.id, outputs }, buffers);
      } catch {
        post({ type: 'result', id: m.id, outputs });
      }
    }).catch((e: unknown) => post({ type: 'failed', id: m.id, message: describe(e) }));
  } else if (m.type === 'close') {
    void Promise.all([...models.values()].map((x) => x.then((model) => model.close()))).finally(() => port.close());
  }
});
