module MCollective
  # SimpleRPC: the agent base class and the request/reply objects handed to actions; the client side
  # (rpcclient, printrpc, printrpcstats) for applications and for agents that call other agents.
  module RPC
    autoload :Client, "mcollective/rpc/client"
    autoload :Stats, "mcollective/rpc/stats"
    autoload :Result, "mcollective/rpc/result"
    autoload :Helpers, "mcollective/rpc/helpers"
    autoload :Audit, "mcollective/rpc/audit"

    @stats = nil
    @discovered = nil

    class << self
      # What serves this process's RPC::Clients: mco for an application, the server for an agent's calls.
      attr_accessor :host

      # The last call's stats and discovered nodes, for printrpcstats (module-wide, as in MCollective).
      def stats(stats)
        @stats = stats
      end

      def discovered(discovered)
        @discovered = discovered
      end

      def last_stats
        @stats
      end
    end

    # An options hash from the standard command line (filters, common and RPC options).
    def rpcoptions
      parser = Optionparser.new({ verbose: false, progress_bar: true }, "filter")
      parser.parse do |p, opts|
        yield(p, opts) if block_given?
        Helpers.add_simplerpc_options(p, opts)
      end
    end

    # A client for `agent`, given to the block or returned.
    def rpcclient(agent, flags = {})
      exit_on_failure = flags.fetch(:exit_on_failure, true)
      begin
        options = flags[:options]
        rpc = options ? Client.new(agent, configfile: options[:config], options: options) : Client.new(agent)
        @options = rpc.options
      rescue Exception => e # rubocop:disable Lint/RescueException -- reported as MCollective reported it
        raise e unless exit_on_failure

        puts("Could not create RPC client: #{e}")
        exit!
      end
      block_given? ? yield(rpc) : rpc
    end

    # Prints the last call's stats block; `:caption`, `:summarize` (aggregate summaries).
    def printrpcstats(flags = {})
      return unless (@options || {})[:output_format].to_s == "console" || @options[:output_format].nil?

      flags = { summarize: false, caption: "rpc stats" }.merge(flags)
      stats = RPC.last_stats
      return puts("no stats to display") unless stats

      puts(stats.report(flags[:caption], flags[:summarize], (@options || {})[:verbose] || false))
    end

    # Prints results as `mco rpc` does: the DDL's display rules, labels and layout (-v: every reply, Ruby style).
    def printrpc(result, flags = {})
      opts = @options || {}
      verbose = flags[:verbose] || opts[:verbose] || false
      format = opts[:output_format] || :console
      text = Helpers.rpcresults(result, verbose: verbose, flatten: flags[:flatten] || false, format: format,
                                        force_display_mode: opts[:force_display_mode] || false)
      if result.is_a?(Array) && format == :console
        puts("\n#{text}\n")
      elsif text != ""
        puts(text)
      end
    end

    def empty_filter?(options)
      Util.empty_filter?(options.include?(:filter) ? options[:filter] : options)
    end
  end
end

require "mcollective/rpc/request"
require "mcollective/rpc/reply"
require "mcollective/rpc/agent"
