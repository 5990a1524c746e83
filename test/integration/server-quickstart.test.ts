import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { REPO } from "../helpers/server.js";

const isRunning = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

for (const [args, broker] of [[[], "nats-server"], [["--legacy", "activemq"], "activemq"]] as const) {
  describe(`mcompat up ${args.join(" ")} / down (the quickstart)`, function () {
    this.timeout(90_000);
    const state = mkdtempSync(join(tmpdir(), "mcompat-quickstart-"));
    const env = { MCOMPAT_STATE: state };
    let pids: number[] = [];

    after(async () => {
      await execa(join(REPO, "bin", "mcompat"), ["down"], { env, reject: false });
      for (const pid of pids) if (isRunning(pid)) process.kill(pid, "SIGKILL");
    });

    it(`starts ${broker} and three nodes with their own facts, shows their replies, and down stops exactly those`, async () => {
      const up = await execa(join(REPO, "bin", "mcompat"), ["up", ...args], { env });
      const started = JSON.parse(readFileSync(join(state, "pids.json"), "utf8")) as Array<{ name: string; pid: number }>;
      pids = started.map((p) => p.pid);
      assert.deepEqual(started.map((p) => p.name), [broker, "mcompat server node1.mcompat.local", "mcompat server node2.mcompat.local", "mcompat server node3.mcompat.local"]);
      assert.match(up.stdout, /^node1\.mcompat\.local +time=[\d.]+ ms$/m);
      assert.match(up.stdout, /^3 replies max: /m);
      assert.match(up.stdout, /^node3\.mcompat\.local +\n +Fact: country\n +Value: de\n/m);
      assert.match(up.stdout, /^ +node1\.mcompat\.local: bash-\S+$/m);
      assert.ok(pids.every(isRunning));

      const down = await execa(join(REPO, "bin", "mcompat"), ["down"], { env });
      assert.equal((down.stdout.match(/^stopped /gm) ?? []).length, 4);
      assert.ok(pids.every((pid) => !isRunning(pid)), "every started process is gone");
    });
  });
}
