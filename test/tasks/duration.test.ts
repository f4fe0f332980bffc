import { describe, expect, it } from "vitest";
import { formatDurationMs, parseDurationMs } from "../../worker/tasks/duration";

describe("parseDurationMs", () => {
  it.each([
    ["PT1S", 1000],
    ["PT0.5S", 500],
    ["PT0.000001S", 0.001],
    ["PT1M30S", 90_000],
    ["PT2H", 7_200_000],
    ["P1D", 86_400_000],
    ["P1DT1H", 90_000_000],
    ["P2W", 1_209_600_000],
    ["pt10s", 10_000],
    ["-PT1S", -1000],
    ["PT1,5S", 1500],
  ])("reads %s as %d ms", (iso, ms) => {
    expect(parseDurationMs(iso)).toBe(ms);
  });

  it.each(["", "P", "PT", "1S", "PT1S ago", "xPT1S", "P1Y", "P1M", "PT0.5M1S"])("refuses %j", (iso) => {
    expect(() => parseDurationMs(iso)).toThrow(/duration/);
  });
});

describe("formatDurationMs", () => {
  it("writes durations as java.time.Duration does", () => {
    expect(formatDurationMs(0)).toBe("PT0S");
    expect(formatDurationMs(90_000)).toBe("PT1M30S");
    expect(formatDurationMs(86_400_000)).toBe("PT24H");
    expect(formatDurationMs(250)).toBe("PT0.25S");
  });
});
