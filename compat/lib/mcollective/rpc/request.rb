module MCollective
  module RPC
    # The request an action sees: request[:package], request.caller, request.data ...
    class Request
      attr_accessor :time, :action, :data, :sender, :agent, :uniqid, :caller, :ddl

      def initialize(msg, ddl)
        body = msg[:body] || {}
        @time = msg[:msgtime]
        @action = body[:action] || body["action"]
        @data = body[:data] || body["data"]
        @sender = msg[:senderid]
        @agent = body[:agent] || body["agent"]
        @uniqid = msg[:requestid]
        @caller = msg[:callerid] || "unknown"
        @ddl = ddl
      end

      # A symbol key falls back to its string form when the data is string keyed.
      def compatible_key(key)
        return key unless key.is_a?(Symbol) && @data.is_a?(Hash) && !@data.include?(key) && @data.include?(key.to_s)

        key.to_s
      end

      def include?(key)
        return false unless @data.is_a?(Hash)

        @data.include?(compatible_key(key))
      end

      def [](key)
        return nil unless @data.is_a?(Hash)

        @data[compatible_key(key)]
      end

      def fetch(key, default)
        return nil unless @data.is_a?(Hash)

        @data.fetch(compatible_key(key), default)
      end

      def should_respond?
        return true unless @data.is_a?(Hash)

        @data.fetch(:process_results, @data.fetch("process_results", true)) != false
      end

      def validate!
        @ddl.validate_rpc_request(@action, @data)
      end

      def to_hash
        { agent: @agent, action: @action, data: @data }
      end

      def to_json(*args)
        to_hash.merge(sender: @sender, callerid: @caller, uniqid: @uniqid).to_json(*args)
      end
    end
  end
end
