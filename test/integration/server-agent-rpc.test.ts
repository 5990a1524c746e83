import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RunningBroker } from "../../src/transport/index.js";
import { testBroker } from "../helpers/broker.js";
import { writeClientConfig } from "../helpers/fleet.js";
import { mcoProcess } from "../helpers/mco.js";
import { FIXTURES, NATIVE_ONLY, startServer, waitFor, type ServerNode } from "../helpers/server.js";

describe("an agent that calls rpcclient from its action reaches other nodes through its server, signed as the server", function () {
  this.timeout(60_000);
  let broker: RunningBroker;
  let nodes: ServerNode[];
  let cfg: string;
  const auditFile = join(mkdtempSync(join(tmpdir(), "mcompat-relay-audit-")), "audit.log");

  before(async () => {
    broker = await testBroker();
    nodes = await Promise.all([
      startServer({ identity: "relay1.example.net", factsFile: join(FIXTURES, "facts", "node1.yaml"), libdir: join(FIXTURES, "relay"), extra: NATIVE_ONLY }, broker.port),
      startServer(
        {
          identity: "target1.example.net",
          factsFile: join(FIXTURES, "facts", "node3.yaml"),
          extra: {
            ...NATIVE_ONLY,
            rpcaudit: "1",
            rpcauditprovider: "logfile",
            "plugin.rpcaudit.logfile": auditFile,
            // Clients are *.mcollective by default: a node that calls others as itself has to be allowed by name.
            "plugin.choria.security.certname_whitelist": "\\.mcollective$, ^relay1\\.example\\.net$",
          },
        },
        broker.port,
      ),
    ]);
    cfg = await writeClientConfig(broker.port, "relay");
  });

  after(async () => {
    await Promise.all((nodes ?? []).map((n) => n.stop()));
    await broker?.stop();
  });

  it("relay#ask gets rpcutil#get_fact answered by the target, which sees the relay node as the caller", async () => {
    const r = await mcoProcess(["rpc", "relay", "ask", "target=target1.example.net", "fact=role", "-I", "relay1.example.net", "-j", "-c", cfg]);
    assert.equal(r.code, 0, `${r.stderr}\n${nodes[0].log()}`);
    const [reply] = JSON.parse(r.stdout) as Array<{ sender: string; statuscode: number; statusmsg: string; data: Record<string, unknown> }>;
    assert.deepEqual(reply, { agent: "relay", action: "ask", sender: "relay1.example.net", statuscode: 0, statusmsg: "OK", data: { answers: ["target1.example.net=web"], responses: 1 } }, `${nodes[0].log()}\n----\n${nodes[1].log()}`);
    await waitFor(() => existsSync(auditFile) && readFileSync(auditFile, "utf8").includes("get_fact"), () => false, async () => `no audit line in ${auditFile}:\n${nodes[1].log()}`);
    assert.match(readFileSync(auditFile, "utf8"), /caller=choria=relay1\.example\.net@relay1\.example\.net agent=rpcutil action=get_fact data=\{:fact=>"role"/);
  });
});
