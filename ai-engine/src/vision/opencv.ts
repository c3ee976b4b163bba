/**
 * The one place that loads the OpenCV binding. The environment variable must be set before the
 * package is imported (otherwise it tries to build OpenCV from the internet), and its build logger
 * prints a few lines on every start unless silenced, hence dynamic imports instead of static ones.
 * This holds a native library, not a model: sharing it across the process is fine.
 */
process.env.OPENCV4NODEJS_DISABLE_AUTOBUILD ??= '1';
const { Log } = await import('@u4/opencv-build');
Log.silence = true;

export const cv = (await import('@u4/opencv4nodejs')).default;
export type { Mat } from '@u4/opencv4nodejs';
