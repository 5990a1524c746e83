module MCollective
  module RPC
    # The SimpleRPC client applications (and agents calling other agents) use: `rpcclient("package")`, then
    # `mc.status(:package => "x")`. Discovery, requests, batching and reply collection are done by the host it
    # talks to (the Node client for `mco`), so every wire and security plugin mcompat speaks is served.
    class Client
      attr_accessor :timeout, :verbose, :filter, :config, :progress, :reply_to, :limit_seed, :ttl
      attr_reader :client, :stats, :ddl, :agent, :limit_targets, :limit_method, :output_format, :batch_size,
                  :batch_sleep_time, :batch_mode, :discovery_method, :discovery_options, :collective,
                  :publish_timeout, :threaded

      def initialize(agent, flags = {})
        initial = flags[:options] || default_options
        @initial_options = initial
        @agent = agent.to_s
        @config = initial[:config]
        @stats = Stats.new
        @verbose = initial[:verbose]
        @filter = initial[:filter] || Util.empty_filter
        @progress = initial[:progress_bar]
        @limit_targets = initial[:mcollective_limit_targets]
        @limit_method = Config.instance.rpclimitmethod
        @limit_seed = initial[:limit_seed]
        @output_format = initial[:output_format] || :console
        @reply_to = initial[:reply_to]
        @discovery_method = initial[:discovery_method] || Config.instance.default_discovery_method
        @discovery_options = initial[:discovery_options] || []
        @force_display_mode = initial[:force_display_mode] || false
        @batch_size = initial[:batch_size] || Config.instance.default_batch_size
        @batch_sleep_time = Float(initial[:batch_sleep_time] || Config.instance.default_batch_sleep_time)
        @batch_mode = batch?(@batch_size)
        @discovery_timeout = initial[:disctimeout]
        @collective = initial[:collective] || Config.instance.main_collective
        @ttl = initial[:ttl] || Config.instance.ttl
        @publish_timeout = initial[:publish_timeout] || Config.instance.publish_timeout
        @threaded = initial[:threaded] || Config.instance.threaded
        @discovered_agents = nil
        @discovery = nil
        agent_filter(@agent)
        setup = host.request(op: "client", agent: @agent, options: options)
        DDL.register(@agent, :agent, setup["ddl"]) if setup["ddl"]
        @ddl = DDL.new(@agent)
        @stats.ddl = @ddl
        @discovery_timeout ||= setup["discovery_timeout"]
        # The legacy sentinel: an untouched 5 s becomes the DDL's timeout plus the discovery timeout.
        @timeout = initial[:timeout] || 5
        @timeout = @ddl.meta[:timeout] + discovery_timeout if @timeout == 5
      end

      def host
        RPC.host || raise("No RPC client host in this process: rpcclient runs under mco or in an mcompat server's agent")
      end

      def disconnect; end

      def discovery_timeout
        @discovery_timeout || 2
      end

      def discovery_timeout=(timeout)
        @discovery_timeout = Float(timeout)
        @discovery_timeout = @discovery_timeout.to_i if @discovery_timeout == @discovery_timeout.to_i
        reset
      end

      def discovery_method=(method)
        @discovery_method = method
        reset
      end

      def discovery_options=(options)
        @discovery_options = [options].flatten
        reset
      end

      def collective=(name)
        raise("Unknown collective #{name}") unless Config.instance.collectives.include?(name)

        @collective = name
        reset
      end

      def limit_targets=(limit)
        raise("Invalid limit specified: #{limit} valid limits are /^\\d+%*$/") unless limit.nil? || limit.to_s =~ /\A\d+%*\z/

        @limit_targets = limit.is_a?(String) && !limit.end_with?("%") ? Integer(limit) : limit
      end

      def limit_method=(method)
        raise("Unknown limit method #{method} must be :random or :first") unless %w[random first].include?(method.to_s)

        @limit_method = method.to_sym
      end

      def batch_size=(size)
        check_batch_size(size) if batch?(size)
        @batch_size = size
        @batch_mode = batch?(size)
      end

      def batch_sleep_time=(time)
        @batch_sleep_time = Float(time)
      end

      def class_filter(klass)
        @filter["cf_class"] = @filter["cf_class"] | [klass]
        @filter["compound"] = @filter["compound"] | []
        reset
      end

      def fact_filter(fact, value = nil, operator = "=")
        return if fact.nil? || fact == false

        parsed = Util.parse_fact_string(value.nil? ? fact : "#{fact}#{operator}#{value}")
        @filter["fact"] = @filter["fact"] | [parsed] if parsed
        reset
      end

      def agent_filter(agent)
        @filter["agent"] = @filter["agent"] | [agent]
        reset
      end

      def identity_filter(identity)
        @filter["identity"] = @filter["identity"] | [identity]
        reset
      end

      def compound_filter(filter)
        @filter["compound"] = @filter["compound"] | [Matcher.create_compound_callstack(filter)]
        reset
      end

      # Forgets the discovered nodes, so the next call discovers again.
      def reset
        @discovered_agents = nil
        @discovery = nil
      end

      def reset_filter
        @filter = Util.empty_filter
        agent_filter(@agent)
      end

      # The options hash an Optionparser would have made, reflecting this client's settings.
      def options
        { disctimeout: @discovery_timeout, timeout: @timeout, verbose: @verbose, filter: @filter,
          collective: @collective, output_format: @output_format, ttl: @ttl, discovery_method: @discovery_method,
          discovery_options: @discovery_options, force_display_mode: @force_display_mode, config: @config,
          publish_timeout: @publish_timeout, threaded: @threaded, mcollective_limit_targets: @limit_targets,
          limit_seed: @limit_seed, limit_method: @limit_method, reply_to: @reply_to,
          connection_timeout: @initial_options[:connection_timeout], sort: @initial_options[:sort] }
      end

      # The nodes this client will call: given ones (:nodes, :hosts, :json), else discovered with the filter.
      def discover(flags = {})
        flags.each_key { |key| raise("Unknown option #{key} passed to discover") unless %i[verbose hosts nodes json].include?(key) }
        flags[:nodes] = flags.delete(:hosts) if flags.include?(:hosts)
        reset if flags[:nodes] || flags[:json]
        unless @discovered_agents
          if flags[:nodes] || flags[:json]
            hosts = flags[:nodes] ? Helpers.extract_hosts_from_array(flags[:nodes]) : Helpers.extract_hosts_from_json(flags[:json])
            raise("Could not find any hosts in discovery data provided") if hosts.empty?

            @discovery = { "nodes" => hosts, "method" => "flatfile", "performed" => false, "time_ms" => 0 }
          else
            verbose = flags.include?(:verbose) ? flags[:verbose] : @verbose
            @discovery = host.request(op: "discover", agent: @agent, options: options,
                                      announce: verbose && @output_format == :console)
          end
          @discovered_agents = @discovery["nodes"]
        end
        @stats.discovered_agents(@discovered_agents)
        RPC.discovered(@discovered_agents)
        @discovered_agents
      end

      # Calls action `name` with the arguments hash; results as an Array, or each reply given to the block.
      def method_missing(name, *args, &block)
        return super if name.to_s.end_with?("=", "?", "!")

        call_action(name.to_s, (args[0] || {}).dup, &block)
      end

      def respond_to_missing?(name, include_private = false)
        (@ddl && @ddl.actions.include?(name.to_s)) || super
      end

      # A call to exactly `expected_agents`, without discovery.
      def custom_request(action, args, expected_agents, _filter = {}, &block)
        discover(nodes: [expected_agents].flatten)
        call_action(action.to_s, args.dup, &block)
      end

      private

      def default_options
        parser = Optionparser.new({ verbose: false, progress_bar: true, mcollective_limit_targets: false,
                                    batch_size: nil, batch_sleep_time: 1 }, "filter")
        parser.parse { |p, opts| Helpers.add_simplerpc_options(p, opts) }
      end

      def batch?(size)
        !size.nil? && size != 0 && size != "0"
      end

      def check_batch_size(size)
        return if size.is_a?(Integer)
        return if size.is_a?(String) && (size =~ /\A\d+\z/ || (size =~ /\A(\d+)%\z/ && Integer(Regexp.last_match(1)) != 0))

        raise("batch_size must be an integer or match a percentage string (e.g. '24%'")
      end

      def call_action(action, args, &block)
        batch_size = args.key?(:batch_size) ? args.delete(:batch_size) : @batch_size
        sleep_time = Float(args.delete(:batch_sleep_time) || @batch_sleep_time)
        batched = batch?(batch_size)
        check_batch_size(batch_size) if batched
        return fire_and_forget(action, args) if args[:process_results] == false || @reply_to

        raise("Cannot bypass result processing for batched requests") if batched && args[:process_results] == false

        discover
        results = []
        failure = nil
        request = { op: "call", agent: @agent, action: action, args: args, options: options, discovery: @discovery,
                    batch: batched ? { size: batch_size.to_s, sleep: sleep_time } : nil,
                    progress: @progress && !block && @output_format == :console }
        answer = host.request(request) do |event|
          result = Result.new(@agent, action, sender: event["sender"], statuscode: event["statuscode"],
                                              statusmsg: event["statusmsg"], data: symbolized(event["data"]))
          next results << result unless block
          next if failure

          begin
            block.arity == 2 ? block.call(legacy_reply(event, result), result) : block.call(legacy_reply(event, result))
          rescue Exception => e # rubocop:disable Lint/RescueException -- re-raised once the call has ended
            failure = e
          end
        end
        raise failure if failure

        @stats.absorb(answer["stats"])
        RPC.stats(@stats)
        results.sort! if @initial_options[:sort]
        block ? @stats : results
      end

      def fire_and_forget(action, args)
        answer = host.request(op: "call", agent: @agent, action: action, args: args, options: options,
                              discovery: @discovered_agents && @discovery, process_results: false)
        answer["stats"]["requestid"]
      end

      # The reply hash a one-argument block got from the legacy client.
      def legacy_reply(event, result)
        { senderid: event["sender"], requestid: event["requestid"], senderagent: @agent, msgtime: Time.now.to_i,
          body: { statuscode: result[:statuscode], statusmsg: result[:statusmsg], data: result[:data] } }
      end

      def symbolized(data)
        data.is_a?(Hash) ? data.each_with_object({}) { |(k, v), out| out[k.to_sym] = v } : data
      end
    end
  end
end
