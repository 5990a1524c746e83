module MCollective
  module RPC
    # What one call did: who was asked, who answered, counts and times (seconds). Filled from the stats the
    # Node client reports at the end of a call; report texts are laid out by Node, as `mco rpc` prints them.
    class Stats
      attr_accessor :noresponsefrom, :unexpectedresponsefrom, :starttime, :discoverytime, :blocktime, :responses,
                    :totaltime, :discovered, :discovered_nodes, :okcount, :failcount, :responsesfrom, :requestid,
                    :aggregate_summary, :aggregate_failures, :ddl

      def initialize
        reset
      end

      def reset
        @noresponsefrom = []
        @unexpectedresponsefrom = []
        @responsesfrom = []
        @responses = 0
        @starttime = Time.now.to_f
        @discoverytime = 0
        @blocktime = 0
        @totaltime = 0
        @discovered = 0
        @discovered_nodes = []
        @okcount = 0
        @failcount = 0
        @requestid = nil
        @aggregate_summary = []
        @aggregate_failures = []
        @reported = nil
      end

      def to_hash
        { noresponsefrom: @noresponsefrom, unexpectedresponsefrom: @unexpectedresponsefrom, starttime: @starttime,
          discoverytime: @discoverytime, blocktime: @blocktime, responses: @responses, totaltime: @totaltime,
          discovered: @discovered, discovered_nodes: @discovered_nodes, okcount: @okcount, requestid: @requestid,
          failcount: @failcount, aggregate_summary: @aggregate_summary, aggregate_failures: @aggregate_failures }
      end

      def [](key)
        to_hash[key.to_sym]
      end

      def ok
        @okcount += 1
      end

      def fail
        @failcount += 1
      end

      def node_responded(node)
        @responsesfrom << node
        @responses += 1
      end

      def discovered_agents(agents)
        @discovered_nodes = agents
        @discovered = agents.size
      end

      def time_discovery(_action); end

      def time_block_execution(_action); end

      def finish_request; end

      # Takes the figures of a finished call as the Node client reported them (String keys).
      def absorb(reported)
        @reported = reported
        @requestid = reported["requestid"]
        @discovered_nodes = reported["discovered_nodes"]
        @discovered = @discovered_nodes.size
        @responsesfrom = reported["responded"]
        @responses = @responsesfrom.size
        @noresponsefrom = reported["noresponsefrom"]
        @unexpectedresponsefrom = reported["unexpectedresponsefrom"]
        @okcount = reported["okcount"]
        @failcount = reported["failcount"]
        %w[starttime discoverytime blocktime totaltime].each { |key| instance_variable_set("@#{key}", reported[key]) }
        self
      end

      # The stats block printrpcstats prints (summary line or -v table, aggregates, nodes that did not answer).
      def report(caption = "rpc stats", summarize = true, verbose = false)
        text(kind: "report", caption: caption, summarize: summarize, verbose: verbose)
      end

      def no_response_report
        text(kind: "no_response")
      end

      def unexpected_response_report
        text(kind: "unexpected")
      end

      private

      def text(request)
        RPC.host.text(request.merge(op: "stats_text", stats: @reported || local_figures))
      end

      # Figures for stats an application built itself (no call behind them).
      def local_figures
        { "requestid" => @requestid.to_s, "discovered_nodes" => @discovered_nodes, "responded" => @responsesfrom,
          "noresponsefrom" => @noresponsefrom, "unexpectedresponsefrom" => @unexpectedresponsefrom,
          "okcount" => @okcount, "failcount" => @failcount, "starttime" => @starttime.to_f,
          "discoverytime" => @discoverytime.to_f, "blocktime" => @blocktime.to_f, "totaltime" => @totaltime.to_f }
      end
    end
  end
end
