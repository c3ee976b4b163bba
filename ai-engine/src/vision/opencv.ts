/**
 * The one place that loads the OpenCV binding; import `cv` from here, not from the package, so these
 * settings hold for the whole process. They must be in the environment before the binding loads,
 * hence dynamic imports instead of static ones:
 * - OPENCV4NODEJS_DISABLE_AUTOBUILD: otherwise the package tries to build OpenCV from the internet.
 * - OPENCV4NODEJS_DISABLE_EXTERNAL_MEM_TRACKING: the binding's Mat allocator reports memory to V8 from
 *   inside GC finalizers, which on Node 20 aborts the process ("Check failed: marking_done_", seen here
 *   in 2 of 5 test runs; UrielCh/opencv4nodejs#148). Without it V8 does not see Mat memory, so the
 *   pipeline releases its large temporary Mats itself.
 * The build logger prints a few lines on every start unless silenced.
 * This holds a native library, not a model: sharing it across the process is fine.
 */
process.env.OPENCV4NODEJS_DISABLE_AUTOBUILD ??= '1';
process.env.OPENCV4NODEJS_DISABLE_EXTERNAL_MEM_TRACKING ??= '1';
const { Log } = await import('@u4/opencv-build');
Log.silence = true;

export const cv = (await import('@u4/opencv4nodejs')).default;
export type { Mat } from '@u4/opencv4nodejs';
