/**
 * The long forms of the fault tests (`npm run soak`, never part of `npm test`): 1,000 requests a second for 60 s against
 * one node, and a minute of load while cluster members are killed under the node. Loopback only, bounded loops.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import type { RunningBroker } from "../../src/transport/index.js";
import { testBroker, testCluster, type TestCluster } from "../helpers/broker.js";
import { flood, rssMiB } from "../helpers/load.js";
import { observe, report } from "../helpers/observer.js";
import { Requester } from "../helpers/requester.js";
import { FIXTURES, fixtureLibdir, NATIVE_ONLY, startServer, waitFor, type ServerNode } from "../helpers/server.js";

const NODE = "soaked.example.net";
const settled = (codes: Record<number, number>) => Object.keys(codes).every((c) => c === "0" || c === "5");

describe("soak: 1,000 requests a second for 60 s against one node", function () {
  this.timeout(300_000);
  let broker: RunningBroker;
  let node: ServerNode;
  let client: Requester;
  let watcher: Requester;

  before(async () => {
    broker = await testBroker();
    // info, as a production node logs: debug would write a line per request.
    node = await startServer({ identity: NODE, factsFile: join(FIXTURES, "facts", "node1.yaml"), libdir: fixtureLibdir(["echo"]), extra: { ...NATIVE_ONLY, loglevel: "info" } }, broker.port);
    client = await Requester.connect(broker.port, [NODE]);
    watcher = await Requester.connect(broker.port, [NODE], "watcher.mcollective");
  });

  after(async () => {
    await client?.close();
    await watcher?.close();
    await node?.stop();
    await broker?.stop();
  });

  it("answers every request with a statuscode, memory flat, other callers served", async () => {
    const rss: number[] = [rssMiB(node.pid)];
    const other = observe(watcher, NODE, 250);
    const result = await flood(client, { node: NODE, rate: 1000, seconds: 60, rubyEvery: 10, onSecond: () => rss.push(rssMiB(node.pid)) });
    const seen = await other.stop();
    rss.push(rssMiB(node.pid));
    report("load 1000/s for 60 s", { ...result, otherCallerPings: seen.pings, worstOtherMs: seen.worstMs, rssMiB: `${rss[0]} start, ${rss[10]} at 10 s, ${Math.max(...rss)} max, ${rss.at(-1)} end` });
    assert.equal(result.missing, 0);
    assert.equal(result.duplicates, 0);
    assert.ok(settled(result.byStatus), JSON.stringify(result.byStatus));
    // Flat: after warming up, the node holds no more than it did at 10 s, with room for the garbage collector's swings.
    assert.ok(Math.max(...rss.slice(10)) < rss[10] * 1.5 + 50, `resident memory grew: ${rss.join(" ")}`);
  });
});

describe("soak: a minute of load while the cluster member under the node is killed and restarted", function () {
  this.timeout(300_000);
  let cluster: TestCluster;
  let node: ServerNode;
  let client: Requester;

  before(async () => {
    cluster = await testCluster(3);
    // The node lists members 0 and 1, the client sits on member 2, which stays up: this is about the node's side.
    const hosts = cluster.ports.slice(0, 2).map((p) => `127.0.0.1:${p}`).join(",");
    node = await startServer({ identity: NODE, factsFile: join(FIXTURES, "facts", "node1.yaml"), extra: { ...NATIVE_ONLY, loglevel: "info", "plugin.choria.middleware_hosts": hosts } }, cluster.ports[0]);
    client = await Requester.connect(cluster.ports[2], [NODE]);
  });

  after(async () => {
    await client?.close();
    await node?.stop();
    await cluster?.stop();
  });

  it("every request is answered or reported missing; only those sent while the node had no broker are lost", async () => {
    const brokerOf = () => cluster.ports.indexOf(Number([...node.log().matchAll(/connected to 127\.0\.0\.1:(\d+)/g)].at(-1)![1]));
    let kills = 0;
    let running = true;
    const churn = (async () => {
      while (running) {
        await new Promise((r) => setTimeout(r, 8000));
        if (!running) break;
        const under = brokerOf();
        const reconnects = (node.log().match(/reconnected to/g) ?? []).length;
        await cluster.kill(under);
        kills++;
        await waitFor(() => (node.log().match(/reconnected to/g) ?? []).length > reconnects, () => false, async () => `the node did not reconnect:\n${node.log()}`);
        await cluster.restart(under);
      }
    })();
    const result = await flood(client, { node: NODE, rate: 100, seconds: 60, rubyEvery: 0 });
    running = false;
    await churn;
    report("cluster member killed under load", { kills, ...result });
    assert.ok(kills > 0, "no member was killed under the node");
    assert.equal(result.duplicates, 0);
    assert.ok(settled(result.byStatus), JSON.stringify(result.byStatus));
    // Published while the node had no broker (its reconnect takes 1 to 3 s), or inside the broker that died.
    assert.ok(result.missing <= kills * 300, `${result.missing} requests lost in ${kills} kills`);
  });
});
