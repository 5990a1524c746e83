import assert from "node:assert/strict";
import { join } from "node:path";
import type { RunningBroker } from "../../src/transport/index.js";
import { testBroker } from "../helpers/broker.js";
import { Requester } from "../helpers/requester.js";
import { FIXTURES, NATIVE_ONLY, startServers, waitFor, type ServerNode } from "../helpers/server.js";

const IDS = ["life1.example.net", "life2.example.net"];

describe("mcompat server lifecycle", function () {
  this.timeout(60_000);
  let broker: RunningBroker;
  let nodes: ServerNode[];

  before(async () => {
    broker = await testBroker();
    nodes = await startServers(
      IDS.map((identity, i) => ({ identity, factsFile: join(FIXTURES, "facts", `node${i + 1}.yaml`), collectives: ["mcollective", "eu"], extra: NATIVE_ONLY })),
      broker.port,
    );
  });

  after(async () => {
    await Promise.all((nodes ?? []).map((n) => n.stop()));
    await broker?.stop();
  });

  it("serves every configured collective", async () => {
    const client = await Requester.connect(broker.port, IDS);
    try {
      const replies = await client.request({ agent: "rpcutil", action: "collective_info", collective: "eu", expect: IDS });
      assert.deepEqual(replies.map((r) => r.sender).sort(), IDS);
      assert.deepEqual(replies[0].rpc?.data, { main_collective: "mcollective", collectives: ["mcollective", "eu"] });
    } finally {
      await client.close();
    }
  });

  it("survives a broker restart and serves again once resubscribed", async () => {
    const port = broker.port;
    await broker.stop();
    broker = await testBroker({ port });
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
