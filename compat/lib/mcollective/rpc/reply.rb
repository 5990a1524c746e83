module MCollective
  module RPC
    # The reply an action fills in; data starts with every DDL output set to its default.
    class Reply
      attr_accessor :statuscode, :statusmsg, :data

      def initialize(action, ddl)
        @data = {}
        @statuscode = 0
        @statusmsg = "OK"
        @ddl = ddl
        @action = action
        initialize_data
      end

      def fail(msg, code = 1)
        @statusmsg = msg
        @statuscode = code
      end

      # Sets the failure and raises the exception of its statuscode.
      def fail!(msg, code = 1)
        fail(msg, code)
        case code
        when 1 then raise(RPCAborted, msg)
        when 2 then raise(UnknownRPCAction, msg)
        when 3 then raise(MissingRPCData, msg)
        when 4 then raise(InvalidRPCData, msg)
        else raise(UnknownRPCError, msg)
        end
      end

      def []=(key, val)
        @data[key] = val
      end

      def [](key)
        @data[key]
      end

      def fetch(key, default)
        @data.fetch(key, default)
      end

      def to_hash
        { statuscode: @statuscode, statusmsg: @statusmsg, data: @data }
      end

      private

      def initialize_data
        return unless @ddl.respond_to?(:actions) && @ddl.actions.include?(@action)

        @data = Marshal.load(Marshal.dump(@ddl.output_defaults(@action)))
      rescue StandardError => e
        Log.warn("Could not pre-populate reply data from the DDL: #{e.class}: #{e}")
      end
    end
  end
end
