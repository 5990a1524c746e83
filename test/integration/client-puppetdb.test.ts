import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import type { TLSSocket } from "node:tls";
import { loadConfig } from "../../src/config/index.js";
import { RpcClient, nodeQuery } from "../../src/client/index.js";
import { buildFilter } from "../../src/filter/index.js";
import { writeClientConfig } from "../helpers/fleet.js";
import { mco } from "../helpers/mco.js";
import { testCert } from "../helpers/pki.js";

describe("puppetdb discovery against a local HTTPS server that answers like PuppetDB", () => {
  let server: Server;
  let port: number;
  const queries: string[] = [];
  const clientCerts: string[] = [];

  before(async () => {
    const tls = await testCert("puppetdb.test", ["localhost", "127.0.0.1"]);
    server = createServer(
      { cert: readFileSync(tls.cert), key: readFileSync(tls.key), ca: readFileSync(tls.ca), requestCert: true, rejectUnauthorized: true },
      (req, res) => {
        const url = new URL(req.url ?? "/", "https://localhost");
        clientCerts.push(String((req.socket as TLSSocket).getPeerCertificate().subject?.CN ?? ""));
        if (url.pathname !== "/pdb/query/v4") {
          res.writeHead(404).end("not found");
          return;
        }
        const query = url.searchParams.get("query") ?? "";
        queries.push(query);
        if (query.includes("broken")) {
          res.writeHead(400).end("PQL parse error");
          return;
        }
        res.writeHead(200, { "content-type": "application/json" }).end(
          JSON.stringify([
            { certname: "web1.example.net", deactivated: null },
            { certname: "web2.example.net", deactivated: null },
            { certname: "old.example.net", deactivated: "2026-01-01T00:00:00.000Z" },
          ]),
        );
      },
    );
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });

  after(() => server?.close());

  const config = async () => loadConfig(await writeClientConfig(1, "pdb", ["plugin.choria.puppetdb_host = localhost", `plugin.choria.puppetdb_port = ${port}`]));

  it("sends the PQL for the filter with the client certificate and drops deactivated nodes", async () => {
    const client = new RpcClient(await config(), { discovery: { method: "puppetdb" }, filter: { facts: ["country=uk"], classes: ["role::web"] } });
    const found = await client.discover({ agent: "rpcutil" });
    await client.close();
    assert.deepEqual(found.nodes, ["web1.example.net", "web2.example.net"]);
    assert.equal(found.method, "puppetdb");
    assert.equal(
      queries.at(-1),
      nodeQuery({ ...buildFilter({ facts: ["country=uk"], classes: ["role::web"] }), agent: ["rpcutil"], collective: "mcollective" }, "mcollective"),
    );
    assert.equal(clientCerts.at(-1), "pdb.mcollective");
  });

  it("is chosen with --dm choria on the command line and shown in the discovery line", async () => {
    const cfg = await writeClientConfig(1, "pdb", ["plugin.choria.puppetdb_host = localhost", `plugin.choria.puppetdb_port = ${port}`]);
    const r = await mco(["find", "--dm", "choria", "-v", "-c", cfg]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "web1.example.net\nweb2.example.net\n");
    assert.match(r.stderr, /^Discovering hosts using the puppetdb method \.\.\.\. 2\n/);
  });

  it("reports PuppetDB errors clearly, and switches to mc for compound filters as mco does", async () => {
    const broken = new RpcClient(await config(), { discovery: { method: "puppetdb" }, filter: { identities: ["pql:broken"] } });
    await assert.rejects(broken.discover(), /PuppetDB at localhost:\d+ answered 400: PQL parse error/);
    const r = await mco(["find", "--dm", "puppetdb", "-S", "a=1", "-c", await writeClientConfig(1, "pdb")]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Could not connect to the broker/, "compound filters switch discovery to mc, which needs the broker");
  });
});
