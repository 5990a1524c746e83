/** `mco find`: list the nodes discovery finds for the filters. */
import type { Application } from "../app.js";
import type { Session } from "../session.js";

export const find: Application = {
  name: "find",
  description: "Find hosts using the discovery system matching filter criteria",
  options: [],
  sections: ["common", "filters"],
  async run(session: Session): Promise<number> {
    const started = performance.now();
    const discovery = await session.discover("rpcutil", session.verbose);
    if (session.verbose) session.io.stderr.write("\n");
    session.io.stdout.write(discovery.nodes.map((n) => `${n}\n`).join(""));
    if (session.verbose) {
      const seconds = ((performance.now() - started) / 1000).toFixed(2);
      session.io.stderr.write(`\nDiscovered ${discovery.nodes.length} nodes in ${seconds} seconds using the ${discovery.method} discovery plugin\n`);
    }
    return discovery.nodes.length > 0 ? 0 : 1;
  },
};
