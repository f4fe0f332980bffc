// Owns the error types and the per-render budget shared by every part of the expression engine.

/** The only error type the render functions let escape. */
export class RenderError extends Error {
  override name = "RenderError";
}

/**
 * A variable or attribute that does not exist. Kept distinct from other render errors because
 * `??`, `???`, `is defined` and `default` rescue it while every other error propagates.
 */
export class UndefinedError extends RenderError {
  constructor(readonly variable: string) {
    super(`Unable to find \`${variable}\``);
  }
}

export interface RenderLimits {
  /** Longest output (and longest intermediate string), in characters. */
  maxOutput: number;
  /** Total loop iterations per render. */
  maxIterations: number;
  /** Elements of any one collection a render builds (a range, a filter's result). */
  maxCollection: number;
  /**
   * Work per render, summed over everything it builds: one unit per collection element and per
   * 16 characters of a built string. Steps bound how often a render works; this bounds how much
   * each step may do, so that no combination of cheap-looking steps costs seconds of CPU.
   */
  maxWork: number;
  /** Expression evaluation steps per render; bounds CPU even when no loop is involved. */
  maxSteps: number;
  /** Nesting of render()/renderOnce() calls. */
  maxDepth: number;
  /** Wall time per render, checked between steps (workerd clocks only advance across I/O). */
  timeoutMs: number;
  /** Longest accepted template source. */
  maxTemplate: number;
}

// Measured in workerd (test/faults/fuzz.test.ts prints the slowest render): a million units of work
// or 300,000 steps are each a few hundred milliseconds of CPU at most.
export const DEFAULT_LIMITS: RenderLimits = {
  maxOutput: 10 * 1024 * 1024,
  maxIterations: 50_000,
  maxCollection: 100_000,
  maxWork: 1_000_000,
  maxSteps: 300_000,
  maxDepth: 10,
  timeoutMs: 10_000,
  maxTemplate: 5 * 1024 * 1024,
};

export class Budget {
  private steps = 0;
  private iterations = 0;
  private work = 0;
  private readonly deadline: number;

  constructor(readonly limits: RenderLimits) {
    this.deadline = Date.now() + limits.timeoutMs;
  }

  step(): void {
    this.steps++;
    if (this.steps > this.limits.maxSteps) {
      throw new RenderError(`Render budget exceeded: more than ${this.limits.maxSteps} evaluation steps`);
    }
    if ((this.steps & 1023) === 0 && Date.now() > this.deadline) {
      throw new RenderError(`Render budget exceeded: took longer than ${this.limits.timeoutMs} ms`);
    }
  }

  iterate(count = 1): void {
    this.iterations += count;
    if (this.iterations > this.limits.maxIterations) {
      throw new RenderError(`Render budget exceeded: more than ${this.limits.maxIterations} loop iterations`);
    }
  }

  /** A collection of `count` elements was (or is about to be) built. */
  size(count: number): void {
    if (count > this.limits.maxCollection) {
      throw new RenderError(`Render budget exceeded: a collection of ${count} elements is too large`);
    }
    this.spend(count);
  }

  /** A string of `length` characters was built (a filter's result, a concatenation). */
  built(length: number): void {
    this.text(length);
    this.spend(length / 16);
  }

  private spend(units: number): void {
    this.work += units;
    if (this.work > this.limits.maxWork) {
      throw new RenderError(
        `Render budget exceeded: more than ${this.limits.maxWork} units of work (elements built, or 16 characters each)`,
      );
    }
  }

  text(length: number): void {
    if (length > this.limits.maxOutput) {
      throw new RenderError(`Render budget exceeded: output longer than ${this.limits.maxOutput} characters`);
    }
  }
}
