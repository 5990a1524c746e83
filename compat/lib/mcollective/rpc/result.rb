module MCollective
  module RPC
    # One node's answer to a call, as applications see it: r[:sender], r[:statuscode], r[:statusmsg],
    # r[:data] (Symbol keys, as the legacy wire delivered them), plus the agent and action it answers.
    class Result
      include Enumerable

      attr_reader :agent, :action, :results

      def initialize(agent, action, result = {})
        @agent = agent
        @action = action
        @results = result
      end

      def data
        @results[:data]
      end

      def [](key)
        @results[key.to_sym]
      end

      def []=(key, item)
        @results[key.to_sym] = item
      end

      def fetch(key, default)
        @results.fetch(key.to_sym, default)
      end

      def each(&block)
        @results.each_pair(&block)
      end

      def to_h
        { agent: @agent, action: @action }.merge(@results)
      end

      def to_json(*args)
        { "agent" => @agent, "action" => @action, "sender" => self[:sender], "statuscode" => self[:statuscode],
          "statusmsg" => self[:statusmsg], "data" => data }.to_json(*args)
      end

      # Sorted by sender, as `--sort` orders results.
      def <=>(other)
        self[:sender] <=> other[:sender]
      end
    end
  end
end
