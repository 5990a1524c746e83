import assert from "node:assert/strict";
import { IdleRelease } from "../../src/server/idle-release.js";

const MB = 1024 * 1024;

/** A release checked by hand, one call of `second` a check, over a fake heap that a collection brings back to 100 MB. */
function watched() {
  const state = { heap: 100 * MB, collections: 0 };
  const release = new IdleRelease(() => ((state.collections += 1), (state.heap = 100 * MB)), () => state.heap, undefined);
  const second = (requests: number) => {
    for (let i = 0; i < requests; i++) release.note();
    release.check();
  };
  return { state, second };
}

describe("server idle release", () => {
  it("collects once a burst that grew the heap has been over for ten seconds; never mid-burst", () => {
    const { state, second } = watched();
    state.heap = 130 * MB;
    for (let s = 0; s < 30; s++) second(2000);
    assert.equal(state.collections, 0, "mid-burst");
    for (let s = 0; s < 9; s++) second(0);
    assert.equal(state.collections, 0, "the burst is still in the last ten seconds");
    second(0);
    assert.equal(state.collections, 1);
    for (let s = 0; s < 30; s++) second(0);
    assert.equal(state.collections, 1, "one collection per burst");
  });

  it("collects after a burst even while a trickle of requests goes on (monitoring pings, registration)", () => {
    const { state, second } = watched();
    state.heap = 130 * MB;
    for (let s = 0; s < 30; s++) second(2000);
    // Three calls a second, as the Puppet-bound rows of bench/legacy.ts or a site's periodic checks make.
    for (let s = 0; s < 10; s++) second(3);
    assert.equal(state.collections, 1);
  });

  it("never collects for a trickle that did not grow the heap", () => {
    const { state, second } = watched();
    for (let s = 0; s < 30; s++) second(5);
    state.heap = 104 * MB;
    for (let s = 0; s < 30; s++) second(0);
    assert.equal(state.collections, 0, "grew by less than 8 MB");
  });

  it("never collects while more than ten requests a second come in", () => {
    const { state, second } = watched();
    for (let s = 0; s < 10; s++) second(11);
    state.heap = 130 * MB;
    for (let s = 0; s < 30; s++) second(11);
    assert.equal(state.collections, 0);
  });
});
