/**
 * `mco <name>` for an application plugin in the libdirs: the Ruby application runs unchanged (src/client/ruby-app.ts),
 * its RPC requests are served by src/client/ruby-app-rpc.ts, and this module adds what mco prints: the discovery
 * line, the progress bar, warnings, and the texts of printrpc and printrpcstats, laid out by the same code as
 * `mco rpc`'s.
 */
import type { Config } from "../../config/index.js";
import type { Discovery, RpcClient, RpcResult } from "../../client/index.js";
import { runRubyApplication } from "../../client/ruby-app.js";
import type { AppFrame, AppRequest } from "../../shim/requests.js";
import { RubyRpcServices, rpcStatsOf, type CallProgress, type Legacy, type Send } from "../../client/ruby-app-rpc.js";
import { loadAgentDdl } from "../../client/ddl-files.js";
import { painter, type Paint } from "./output/colour.js";
import { formatJson } from "./output/json.js";
import { clientLog } from "./output/log.js";
import { ProgressBar } from "./output/progress.js";
import { formatResult, verboseBlock, type DisplayMode } from "./output/results.js";
import { nodeListSection } from "./output/stats.js";
import { rubyPretty } from "../../ruby/index.js";
import { announcedDiscovery, statsBlock, type Io, type Out } from "./session.js";

/** Runs the Ruby application `name` with `argv` (or prints its help, for `mco help <name>`); resolves to its exit code. */
export async function runRubyApp(name: string, argv: string[], config: Config, io: Io, opts: { help?: boolean } = {}): Promise<number> {
  const services = new McoAppServices(config, io);
  try {
    return await runRubyApplication({ name, argv, config, env: io.env, services, help: opts.help === true });
  } finally {
    await services.close();
  }
}

class McoAppServices extends RubyRpcServices {
  constructor(
    config: Config,
    private readonly io: Io,
  ) {
    super(config);
  }

  override handle(request: AppRequest, send: Send): Promise<AppFrame> {
    if (request.op === "results_text") return this.resultsText(request);
    if (request.op === "stats_text") return this.statsText(request);
    return super.handle(request, send);
  }

  /** A stream that hands text to Ruby to print, so it lands in order with the application's own output. */
  private out(stream: "stdout" | "stderr", send: Send): Out {
    const real = this.io[stream];
    return { write: (text: string) => send({ type: "out", stream, text }), isTTY: real.isTTY, columns: real.columns };
  }

  private paint(out: Out): Paint {
    return painter(out.isTTY === true && this.config.bool("color", true));
  }

  protected override warn(send: Send): (message: string) => void {
    const stderr = this.out("stderr", send);
    const log = clientLog(this.config, stderr, this.paint(stderr));
    return (message) => log("warn", "client", message);
  }

  protected override discoverFor(client: RpcClient, agent: string, request: AppRequest, send: Send): Promise<Discovery> {
    return announcedDiscovery(client, agent, request.announce === true, this.out("stderr", send));
  }

  protected override progressFor(request: AppRequest, send: Send, total: number): CallProgress {
    return new ProgressBar(this.out("stdout", send), total, request.progress === true, this.config.bool("color", true), request.batch != null);
  }

  protected override nothingSent(send: Send): void {
    this.out("stderr", send).write("\nNo request sent, we did not discover any nodes.");
  }

  private async resultsText(request: AppRequest): Promise<AppFrame> {
    const results = (request.results as Legacy[]).map(resultOf);
    const stdout = this.io.stdout;
    if (request.format === "json") return { type: "text", text: formatJson(results, stdout.isTTY === true) };
    if (request.verbose === true && request.flatten === true) return { type: "text", text: results.map(flattenedText).join("") };
    if (request.verbose === true) return { type: "text", text: results.map(verboseBlock).join("") };
    const paint = this.paint(stdout);
    const display = request.display === "always" ? "all" : request.display === false ? undefined : (request.display as DisplayMode);
    const text = results
      .map((r) => formatResult(r, { verbose: false, action: loadAgentDdl(this.config, r.agent)?.actions[r.action], display, paint }))
      .join("");
    return { type: "text", text };
  }

  private async statsText(request: AppRequest): Promise<AppFrame> {
    const stats = rpcStatsOf(request.stats as Legacy);
    const paint = this.paint(this.io.stdout);
    if (request.kind === "no_response") return { type: "text", text: nodeListSection("No response from:", stats.noResponse, paint) };
    if (request.kind === "unexpected") return { type: "text", text: nodeListSection("Unexpected response from:", stats.unexpected, paint) };
    const record = this.calls.get(stats.requestid);
    // MCollective summarized only calls that discovered someone.
    const action = request.summarize === true && stats.discovered.length > 0 ? record?.action : undefined;
    const caption = String(request.caption ?? "rpc stats");
    const text = await statsBlock(stats, record?.results ?? [], { action, caption, verbose: request.verbose === true, paint, counted: true });
    return { type: "text", text };
  }
}

/** `:flatten => true`: each good reply's data as one stream (a String as is, anything else pretty-inspected). */
function flattenedText(r: RpcResult): string {
  if (r.statuscode > 1) return "";
  const data: unknown = r.data;
  return typeof data === "string" ? data : `${rubyPretty(data, true)}\n`;
}

function resultOf(r: Legacy): RpcResult {
  return {
    agent: String(r.agent),
    action: String(r.action),
    sender: String(r.sender),
    statuscode: Number(r.statuscode),
    statusmsg: String(r.statusmsg),
    data: (r.data ?? {}) as Record<string, unknown>,
  };
}
