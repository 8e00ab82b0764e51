import assert from "node:assert/strict";
import { test } from "node:test";
import { decide, sectionOf } from "../../src/launchConfig";

const base = { type: "cppdbg", sessionName: "Launch", recordAll: false, toggle: undefined, parentRecorded: undefined, defaultSample: "" };

test("the section is read leniently", () => {
  assert.deepEqual(sectionOf(undefined), {});
  assert.deepEqual(sectionOf({ debugtape: true }), { record: true });
  assert.deepEqual(sectionOf({ debugtape: { record: "yes", sample: 50, name: "  x " } }), { record: undefined, sample: undefined, name: "x" });
});

const cases: Array<[string, Partial<Parameters<typeof decide>[0]>, boolean, string]> = [
  ["off by default for other debug types", {}, false, "not enabled"],
  ["the debugtape type records by default", { type: "debugtape" }, true, "debugtape debug type"],
  ["recordAll turns it on", { recordAll: true }, true, "debugtape.recordAll setting"],
  ["the configuration wins over recordAll", { recordAll: true, config: { debugtape: { record: false } } }, false, "launch configuration"],
  ["the configuration wins over the debugtape type", { type: "debugtape", config: { debugtape: { record: false } } }, false, "launch configuration"],
  ["a child follows its recorded parent", { parentRecorded: true }, true, "parent session"],
  ["a child of an unrecorded parent is not recorded", { parentRecorded: false, recordAll: true }, false, "parent session"],
  ["the stop command wins over recordAll", { toggle: false, recordAll: true }, false, "start/stop recording command"],
  ["the start command turns it on", { toggle: true }, true, "start/stop recording command"],
];
for (const [title, over, record, why] of cases) {
  test(title, () => {
    const d = decide({ ...base, config: undefined, ...over });
    assert.equal(d.record, record);
    assert.equal(d.why, why);
  });
}

test("name and sample come from the section, then the defaults", () => {
  assert.deepEqual(decide({ ...base, config: { debugtape: { name: "N", sample: "50hz" } } }).name, "N");
  assert.equal(decide({ ...base, config: { debugtape: { sample: "50hz" } } }).sample, "50hz");
  assert.equal(decide({ ...base, config: {}, defaultSample: "10hz" }).sample, "10hz");
  assert.equal(decide({ ...base, config: { debugtape: { sample: "off" } }, defaultSample: "10hz" }).sample, undefined);
  assert.equal(decide({ ...base, config: {} }).name, "Launch");
});
