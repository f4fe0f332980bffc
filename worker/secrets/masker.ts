// Masking of revealed secrets: every value secret() returned during a run is remembered here and
// replaced by `******` in the text and values that leave the run (log lines, task outputs, errors,
// flow outputs). JSON-escaped forms are masked too, since a value rendered into JSON carries them.

export const MASK = "******";

export class SecretMasker {
  private readonly values = new Set<string>();
  /** Longest first, so that a secret containing another is masked whole. */
  private ordered: string[] = [];

  /** Remembers `value` and hands it back, so secret() can return through it. */
  reveal(value: string): string {
    if (value === "" || this.values.has(value)) return value;
    this.values.add(value);
    const escaped = JSON.stringify(value).slice(1, -1);
    const forms = escaped === value ? [value] : [value, escaped];
    this.ordered = [...new Set([...this.ordered, ...forms])].sort((a, b) => b.length - a.length);
    return value;
  }

  get empty(): boolean {
    return this.values.size === 0;
  }

  mask(text: string): string {
    let out = text;
    for (const value of this.ordered) if (out.includes(value)) out = out.split(value).join(MASK);
    return out;
  }

  /**
   * Whether `value` holds a remembered value at any depth: in a string, or as a whole number (a
   * secret "1234" given to an INT input arrives as 1234).
   */
  holds(value: unknown): boolean {
    if (this.empty) return false;
    if (typeof value === "string") return this.ordered.some((v) => value.includes(v));
    if (typeof value === "number") return this.values.has(String(value));
    if (Array.isArray(value)) return value.some((v) => this.holds(v));
    if (value !== null && typeof value === "object") return Object.values(value).some((v) => this.holds(v));
    return false;
  }

  /** Strings masked at any depth (map keys included); other values kept. A new value, never the input mutated. */
  maskDeep<T>(value: T): T {
    if (this.empty) return value;
    return this.walk(value) as T;
  }

  private walk(value: unknown): unknown {
    if (typeof value === "string") return this.mask(value);
    if (Array.isArray(value)) return value.map((v) => this.walk(v));
    if (value !== null && typeof value === "object") {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[this.mask(k)] = this.walk(v);
      return out;
    }
    return value;
  }
}
