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
  /** Total loop iterations and range/collection sizes per render. */
  maxIterations: number;
  /** Expression evaluation steps per render; bounds CPU even when no loop is involved. */
  maxSteps: number;
  /** Nesting of render()/renderOnce() calls. */
  maxDepth: number;
  /** Wall time per render, checked between steps (workerd clocks only advance across I/O). */
  timeoutMs: number;
  /** Longest accepted template source. */
  maxTemplate: number;
}

export const DEFAULT_LIMITS: RenderLimits = {
  maxOutput: 10 * 1024 * 1024,
  maxIterations: 100_000,
  maxSteps: 2_000_000,
  maxDepth: 10,
  timeoutMs: 10_000,
  maxTemplate: 5 * 1024 * 1024,
};

export class Budget {
  private steps = 0;
  private iterations = 0;
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

  size(count: number): void {
    if (count > this.limits.maxIterations * 10) {
      throw new RenderError(`Render budget exceeded: a collection of ${count} elements is too large`);
    }
  }

  text(length: number): void {
    if (length > this.limits.maxOutput) {
      throw new RenderError(`Render budget exceeded: output longer than ${this.limits.maxOutput} characters`);
    }
  }
}
