import assert from "node:assert/strict";
import { Config } from "../../src/config/index.js";
import { certname, tlsFiles } from "../../src/security/index.js";

describe("security: certnames and certificate files", () => {
  const config = Config.fromText("identity = node1.example.net\nplugin.choria.ssldir = /ssl\n");

  it("uses the identity for a server and for a root client", () => {
    assert.equal(certname(config, "server", {}, 1000), "node1.example.net");
    assert.equal(certname(config, "client", {}, 0), "node1.example.net");
  });

  it("uses $USER.mcollective for a non-root client", () => {
    assert.equal(certname(config, "client", { USER: "rip" }, 1000), "rip.mcollective");
  });

  it("lets MCOLLECTIVE_CERTNAME override both", () => {
    assert.equal(certname(config, "client", { USER: "rip", MCOLLECTIVE_CERTNAME: "ops.privileged.mcollective" }, 1000), "ops.privileged.mcollective");
    assert.equal(certname(config, "server", { MCOLLECTIVE_CERTNAME: "other.example.net" }, 0), "other.example.net");
  });

  it("finds the Puppet ssldir layout", () => {
    assert.deepEqual(tlsFiles(config, "server", {}), {
      certname: "node1.example.net",
      cert: "/ssl/certs/node1.example.net.pem",
      key: "/ssl/private_keys/node1.example.net.pem",
      ca: "/ssl/certs/ca.pem",
    });
  });

  it("uses the explicit plugin.security.file.* paths with the file provider", () => {
    const file = Config.fromText(
      "identity = n1\nplugin.security.provider = file\nplugin.security.file.certificate = /c.pem\nplugin.security.file.key = /k.pem\nplugin.security.file.ca = /ca.pem\n",
    );
    assert.deepEqual(tlsFiles(file, "server", {}), { certname: "n1", cert: "/c.pem", key: "/k.pem", ca: "/ca.pem" });
  });
});
