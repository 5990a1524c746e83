/** Signed requests for security tests, built and decoded as a client and a server would. */
import { decodeRequest, emptyFilter, encodeRequest, newRequestId, type DecodedRequest } from "../../src/protocol/index.js";
import type { Signer } from "../../src/security/index.js";

/** An rpcutil ping from `signer` claiming `callerid`, sent at `now`, decoded as a server would. */
export function signedRequest(signer: Signer, callerid = signer.callerid, now = Math.floor(Date.now() / 1000)): DecodedRequest {
  const payload = encodeRequest({
    envelope: { requestid: newRequestId(), senderid: "test", callerid, filter: emptyFilter(), collective: "mcollective", agent: "rpcutil", ttl: 60, time: now },
    message: '{"agent":"rpcutil","action":"ping","data":{}}',
    headers: { mc_sender: "test", "reply-to": "mcollective.reply.x.1.1" },
    sign: (l3) => signer.sign(l3),
  });
  return decodeRequest(payload, now);
}
