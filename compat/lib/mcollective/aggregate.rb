module MCollective
  # Client-side aggregate functions; a server only needs the classes to exist so plugin files load.
  class Aggregate
    # Base of aggregate plugins (boolean_summary and friends).
    class Base
      attr_accessor :name, :output_name, :aggregate_format, :result, :action

      def initialize(output_name, arguments, aggregate_format, action)
        @name = self.class.to_s
        @output_name = output_name
        @arguments = arguments
        @aggregate_format = aggregate_format
        @action = action
        @result = { value: nil, type: nil, output: output_name }
        startup_hook
      end

      def startup_hook; end

      def summarize
        @result
      end
    end
  end
end
