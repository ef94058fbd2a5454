import process from "node:process";
import { describe, expect, it } from "vitest";
import { currentRuntime } from "../../core/runtime.ts";

describe("currentRuntime()", () => {
  it("names the runtime the suite runs on (the test command sets ATRIUM_EXPECT_RUNTIME)", () => {
    const expected = process.env.ATRIUM_EXPECT_RUNTIME ?? "node";
    expect(currentRuntime()).toBe(expected);
    console.log(`suite runtime: ${currentRuntime()}`);
  });
});
