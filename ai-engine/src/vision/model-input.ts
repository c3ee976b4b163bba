/**
 * What a model run takes: 8-bit pixels that become the float tensor on the thread that runs the model (a SIMD WebAssembly kernel, pixels-to-planar.wat, into memory reused from run to run). Handing over
 * pixels instead of floats moves a quarter of the bytes between threads and keeps the frame-sized float
 * temporaries (the float copy, its planes, the tensor: about 15 MB per 640×480 frame) out of the engine's
 * thread and its malloc heap. No OpenCV here: the inference workers import this module.
 */
import { PIXELS_TO_PLANAR_WASM } from './pixels-to-planar.wasm.js';

type Triple = readonly [number, number, number];

/** Per output channel c: value = byte × scale[c] + shift[c]; `rgb` builds the planes in RGB order from BGR bytes. */
export interface PixelNorm { readonly rgb: boolean; readonly scale: Triple; readonly shift: Triple }

/** BGR bytes 0–255 as they are (the detector and the anti-spoof model). */
export const RAW_BGR: PixelNorm = Object.freeze({ rgb: false, scale: [1, 1, 1] as const, shift: [0, 0, 0] as const });

/**
 * `dims[0]` images of `height` × `width` interleaved BGR pixels, one after another in `bytes`. The model's
 * input may be larger than the image (dims [n, 3, H, W] with H ≥ height, W ≥ width): the rest is zero.
 */
export interface PixelInput {
  readonly bytes: Uint8Array; readonly width: number; readonly height: number; readonly norm: PixelNorm;
  /** Where `bytes` came from when it is leased memory: the runner releases it once the run is over (never sent to a worker). */
  readonly lease?: PixelLease;
}

/** Memory to write a model's pixels into instead of a fresh buffer (the inference pool's shared memory). */
export interface PixelLease { readonly bytes: Uint8Array; release(): void }

type PlanarFn = (src: number, w: number, h: number, dst: number, stride: number, planeRows: number, swap: number,
  s0: number, s1: number, s2: number, b0: number, b1: number, b2: number) => void;

let compiled: WebAssembly.Module | null = null;

/**
 * Builds planar float tensors from pixels in its own WebAssembly memory. The tensor it returns is a view of
 * that memory, valid until its next call: one builder per model, whose runs do not overlap.
 */
export class TensorBuilder {
  private readonly memory: WebAssembly.Memory;
  private readonly planar: PlanarFn;

  constructor() {
    compiled ??= new WebAssembly.Module(Buffer.from(PIXELS_TO_PLANAR_WASM, 'base64'));
    const instance = new WebAssembly.Instance(compiled, {});
    this.memory = instance.exports.memory as WebAssembly.Memory;
    this.planar = instance.exports.planar as PlanarFn;
  }

  /** The float input for `dims` ([n, 3, H, W]). */
  tensor(input: PixelInput, dims: readonly number[]): Float32Array {
    const [n, channels, rows, cols] = dims;
    const { bytes, width: w, height: h, norm } = input;
    if (dims.length !== 4 || channels !== 3 || !(w >= 1 && h >= 1 && w <= cols && h <= rows) || bytes.length !== n * w * h * 3) {
      throw new Error(`pixels ${n}×${h}×${w}×3 (${bytes.length} bytes) do not fit the model input [${dims.join(', ')}]`);
    }
    const floats = n * 3 * rows * cols;
    const srcAt = Math.ceil((floats * 4) / 16) * 16;
    const need = srcAt + bytes.length;
    if (need > this.memory.buffer.byteLength) this.memory.grow(Math.ceil((need - this.memory.buffer.byteLength) / 65536));
    new Uint8Array(this.memory.buffer, srcAt, bytes.length).set(bytes);
    const out = new Float32Array(this.memory.buffer, 0, floats);
    if (w < cols || h < rows) out.fill(0);
    const [s0, s1, s2] = norm.scale, [b0, b1, b2] = norm.shift;
    for (let i = 0; i < n; i++) {
      this.planar(srcAt + i * w * h * 3, w, h, i * 3 * rows * cols * 4, cols, rows, norm.rgb ? 1 : 0, s0, s1, s2, b0, b1, b2);
    }
    return out;
  }
}
