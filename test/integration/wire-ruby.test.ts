import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { execa } from "execa";
import { decodeRequest, emptyFilter, encodeRequest, encodeRpcRequest, newRequestId } from "../../src/protocol/index.js";
import { loadSigner, RequestVerifier } from "../../src/security/index.js";
import { testCert } from "../helpers/pki.js";

/** Reads a request payload as the legacy Ruby choria security plugin does: JSON, Base64.decode64, OpenSSL verify. */
const RUBY_READER = `
require "json"; require "base64"; require "openssl"
t = JSON.parse(STDIN.read)
s = JSON.parse(Base64.decode64(t["data"]))
r = JSON.parse(s["message"])
cert = OpenSSL::X509::Certificate.new(s["pubcert"])
ok = cert.public_key.verify(OpenSSL::Digest.new("SHA256"), Base64.decode64(s["signature"]), s["message"])
puts JSON.dump({"protocols" => [t["protocol"], s["protocol"], r["protocol"]], "verified" => ok,
  "envelope_keys" => r["envelope"].keys, "body" => JSON.parse(r["message"]), "reply_to" => t["headers"]["reply-to"]})
`;

/** Builds a request payload the way the Ruby client does: JSON.dump, Base64.encode64 (wrapped), signature chomped. */
const RUBY_WRITER = `
require "json"; require "base64"; require "openssl"
key = OpenSSL::PKey::RSA.new(File.read(ARGV[0])); pem = File.read(ARGV[1]).chomp
caller = "choria=" + ARGV[2]
body = JSON.dump({"agent" => "rpcutil", "action" => "ping", "caller" => caller, "data" => {"process_results" => true}})
env = {"requestid" => ARGV[3], "senderid" => "rubyhost", "callerid" => caller,
  "filter" => {"fact" => [], "cf_class" => [], "agent" => ["rpcutil"], "identity" => [], "compound" => []},
  "collective" => "mcollective", "agent" => "rpcutil", "ttl" => 60, "time" => Integer(ARGV[4])}
l3 = JSON.dump({"protocol" => "choria:request:1", "message" => body, "envelope" => env})
sig = Base64.encode64(key.sign(OpenSSL::Digest.new("SHA256"), l3)).chomp
secure = JSON.dump({"protocol" => "choria:secure:request:1", "message" => l3, "signature" => sig, "pubcert" => pem})
print JSON.dump({"protocol" => "choria:transport:1", "data" => Base64.encode64(secure),
  "headers" => {"mc_sender" => "rubyhost", "reply-to" => "mcollective.reply.abc.1.1"}})
`;

describe("wire compatibility with Ruby's JSON, Base64 and OpenSSL", () => {
  it("a request we sign is read and verified the way the legacy Ruby plugin reads it", async () => {
    const files = await testCert("henry.mcollective");
    const signer = loadSigner({ certname: "henry.mcollective", ...files });
    const payload = encodeRequest({
      envelope: { requestid: newRequestId(), senderid: "us", callerid: signer.callerid, filter: emptyFilter(), collective: "mcollective", agent: "rpcutil", ttl: 60, time: Math.floor(Date.now() / 1000) },
      message: encodeRpcRequest({ agent: "rpcutil", action: "ping", caller: signer.callerid, data: { process_results: true } }),
      headers: { mc_sender: "us", "reply-to": "mcollective.reply.x.1.1" },
      sign: (l3) => signer.sign(l3),
    });
    const { stdout } = await execa("ruby", ["-e", RUBY_READER], { input: payload });
    assert.deepEqual(JSON.parse(stdout), {
      protocols: ["choria:transport:1", "choria:secure:request:1", "choria:request:1"],
      verified: true,
      envelope_keys: ["requestid", "senderid", "callerid", "filter", "collective", "agent", "ttl", "time"],
      body: { agent: "rpcutil", action: "ping", caller: "choria=henry.mcollective", data: { process_results: true } },
      reply_to: "mcollective.reply.x.1.1",
    });
  });

  it("a request Ruby builds with wrapped base64 decodes and verifies here", async () => {
    const files = await testCert("ivy.mcollective");
    const now = Math.floor(Date.now() / 1000);
    const requestid = newRequestId();
    const { stdout } = await execa("ruby", ["-e", RUBY_WRITER, files.key, files.cert, "ivy.mcollective", requestid, String(now)]);
    assert.match(stdout, /\\n/, "Ruby's Base64.encode64 wraps lines");
    const req = decodeRequest(stdout, now);
    assert.equal(req.envelope.requestid, requestid);
    const caller = new RequestVerifier({ caPem: readFileSync(files.ca, "utf8") }).verify(req, now);
    assert.equal(caller.callerid, "choria=ivy.mcollective");
  });
});
