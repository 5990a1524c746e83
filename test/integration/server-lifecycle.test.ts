import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startBroker, type RunningBroker } from "../../src/transport/index.js";
import { testCert } from "../helpers/pki.js";
import { Requester } from "../helpers/requester.js";
import { FIXTURES, startServers, waitFor, type ServerNode } from "../helpers/server.js";

const IDS = ["life1.example.net", "life2.example.net"];

async function brokerOn(port: number): Promise<RunningBroker> {
  const tls = await testCert("broker.test", ["localhost", "127.0.0.1"]);
  return startBroker({ dir: mkdtempSync(join(tmpdir(), "mcompat-test-broker-")), port, tls });
}

describe("mcompat server lifecycle", function () {
  this.timeout(60_000);
  let broker: RunningBroker;
  let nodes: ServerNode[];

  before(async () => {
    broker = await brokerOn(0);
    nodes = await startServers(
      IDS.map((identity, i) => ({ identity, factsFile: join(FIXTURES, "facts", `node${i + 1}.yaml`) })),
      broker.port,
    );
  });

  after(async () => {
    await Promise.all((nodes ?? []).map((n) => n.stop()));
    await broker?.stop();
  });

  it("survives a broker restart and serves again once resubscribed", async () => {
    const port = broker.port;
    await broker.stop();
    broker = await brokerOn(port);
    for (const node of nodes) await waitFor(() => /reconnected to/.test(node.log()), () => false, async () => `${node.identity} did not reconnect:\n${node.log()}`);
    const client = await Requester.connect(port, IDS);
    try {
      const replies = await client.request({ agent: "discovery", message: JSON.stringify("ping"), expect: IDS });
      assert.deepEqual(replies.map((r) => r.sender).sort(), IDS);
    } finally {
      await client.close();
    }
  });

  it("exits 0 on SIGTERM", async () => {
    const node = nodes.pop()!;
    assert.equal(await node.stop(), 0);
    assert.match(node.log(), /stopped/);
  });
});
