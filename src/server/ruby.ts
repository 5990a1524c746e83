/** Who runs Ruby agents: the shim's WorkerPool, behind the small interface the pipeline needs. */
import type { RpcReplyBody } from "../protocol/index.js";

/** One call of a Ruby agent action, as the worker pool takes it. */
export interface RubyCall {
  agent: string;
  action: string;
  data: Record<string, unknown>;
  caller: string;
  requestid: string;
  sender: string;
  collective: string;
  timeoutSec: number;
}

export interface RubyProbe {
  loaded: Array<{ agent: string }>;
  failed: Array<{ agent: string; reason: string }>;
  /** Data plugins the Ruby libdirs provide (`package`, `service`, ...). */
  dataPlugins?: string[];
}

export interface RubyRunner {
  probe(): Promise<RubyProbe>;
  call(c: RubyCall): Promise<RpcReplyBody>;
  /** A Ruby data plugin's answer; undefined when unknown or failing. */
  queryData(plugin: string, query: string | null): Promise<Record<string, unknown> | undefined>;
  stop(): Promise<void>;
}
