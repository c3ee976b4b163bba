import { AppError } from '@attendance/shared';

/** Every analysis slot is taken and the waiting line is full: answered 503 with a Retry-After header. */
export class InferenceBusyError extends AppError {
  constructor(readonly retryAfterSeconds: number) {
    super(`the engine is busy; retry in ${retryAfterSeconds} s`, 'busy', 503, { retryAfterSeconds });
  }
}

/**
 * A bounded line in front of image analysis: at most `active` images are decoded and analysed at once
 * (each holds a decoded frame in memory), at most `waiting` more wait their turn in order, and anything
 * beyond that is refused at once with InferenceBusyError instead of piling up memory and latency.
 */
export class Admission {
  private running = 0;
  private readonly line: Array<() => void> = [];

  constructor(readonly active: number, readonly waiting: number, private readonly retryAfterSeconds = 1) {
    if (!(active >= 1 && waiting >= 0)) throw new Error('admission needs active >= 1 and waiting >= 0');
  }

  get inFlight(): number { return this.running + this.line.length; }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.running >= this.active) {
      if (this.line.length >= this.waiting) throw new InferenceBusyError(this.retryAfterSeconds);
      await new Promise<void>((resolve) => this.line.push(resolve));
    } else {
      this.running++;
    }
    try {
      return await fn();
    } finally {
      // Hand the slot straight to the next in line, so a newcomer cannot overtake it.
      const next = this.line.shift();
      if (next) next();
      else this.running--;
    }
  }
}
