import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { IdleRelease } from "../../src/server/idle-release.js";

describe("server idle release", () => {
  it("collects once after a burst that grew the heap has been idle a while; never mid-burst, never after a trickle", async function () {
    this.timeout(15_000);
    const MB = 1024 * 1024;
    let heap = 100 * MB;
    let collections = 0;
    // Idle means a second here (ten in the server), checked once a second.
    const release = new IdleRelease(() => ((collections += 1), (heap = 100 * MB)), () => heap, 1000);
    try {
      // A trickle: requests, but the heap did not grow.
      release.note();
      await sleep(2200);
      assert.equal(collections, 0);
      // A burst: a request every 200 ms for 2 s, the heap grown by 30 MB; nothing is collected while it lasts.
      heap = 130 * MB;
      for (let i = 0; i < 10; i++) {
        release.note();
        await sleep(200);
      }
      assert.equal(collections, 0);
      // Within 3.5 s of the last request, whatever else slows the machine.
      await sleep(3500);
      assert.equal(collections, 1);
      await sleep(1200);
      assert.equal(collections, 1, "one collection per burst");
    } finally {
      release.stop();
    }
  });
});
