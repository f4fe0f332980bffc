import { describe, expect, it } from "vitest";
import { parseFlow } from "../../../schema/flow";
import { examples } from "../../fixtures/examples";

describe("shared examples", () => {
  for (const [name, source] of Object.entries(examples)) {
    it(`accepts ${name}.yaml unchanged`, () => {
      const result = parseFlow(source);
      expect(result.ok ? [] : result.violations).toEqual([]);
      expect(result.ok).toBe(true);
    });
  }
});
