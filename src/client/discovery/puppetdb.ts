/** `puppetdb` (alias `choria`): ask PuppetDB over HTTPS, with the client's certificate, which nodes match. */
import { readFileSync } from "node:fs";
import { ClientError } from "../options.js";
import { nodeQuery } from "./pql.js";
import { discoveryOption, type DiscoveryContext, type DiscoveryMethod } from "./types.js";

/** Where PuppetDB listens: `--do host=` / `--do port=`, else `plugin.choria.puppetdb_host` / `_port` (8081). */
function endpoint(ctx: DiscoveryContext): { host: string; port: number } {
  const host = discoveryOption(ctx.options, "host") ?? ctx.config.get("plugin.choria.puppetdb_host");
  if (!host) throw new ClientError("PuppetDB discovery needs plugin.choria.puppetdb_host (or --do host=NAME)");
  const port = discoveryOption(ctx.options, "port") ?? ctx.config.get("plugin.choria.puppetdb_port") ?? "8081";
  return { host, port: Number(port) };
}

/** GETs a JSON document over mutual TLS, failing after `timeoutMs`. */
async function getJson(url: URL, ctx: DiscoveryContext): Promise<unknown> {
  // node:https (and all of node:http behind it) loads only for PuppetDB discovery, not on every mco start.
  const { request } = await import("node:https");
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: "GET",
        headers: { accept: "application/json" },
        cert: readFileSync(ctx.tls.cert),
        key: readFileSync(ctx.tls.key),
        ca: readFileSync(ctx.tls.ca),
        timeout: ctx.timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const body = Buffer.concat(chunks).toString("utf8");
          if (res.statusCode !== 200) return reject(new ClientError(`PuppetDB at ${url.host} answered ${res.statusCode}: ${body.slice(0, 200)}`));
          try {
            resolve(JSON.parse(body));
          } catch {
            reject(new ClientError(`PuppetDB at ${url.host} sent a reply that is not JSON`));
          }
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer within ${ctx.timeoutMs} ms`)));
    req.on("error", (err) => reject(err instanceof ClientError ? err : new ClientError(`PuppetDB query to ${url.host} failed: ${err.message}`)));
    req.end();
  });
}

export const puppetdb: DiscoveryMethod = {
  name: "puppetdb",
  aliases: ["choria"],
  capabilities: ["identity", "fact", "class", "agent"],
  timed: false,
  async discover(ctx) {
    const { host, port } = endpoint(ctx);
    const url = new URL(`https://${host}:${port}/pdb/query/v4`);
    url.searchParams.set("query", nodeQuery(ctx.filter, ctx.collective));
    const rows = await getJson(url, ctx);
    if (!Array.isArray(rows)) throw new ClientError(`PuppetDB at ${url.host} did not answer with a list of nodes`);
    return rows
      .filter((row: { certname?: unknown; deactivated?: unknown }) => typeof row?.certname === "string" && !row.deactivated)
      .map((row: { certname: string }) => row.certname);
  },
};
