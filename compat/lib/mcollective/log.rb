module MCollective
  # Logging for agents. The worker installs a sink that forwards records to Node as log frames;
  # with no sink (e.g. a plain `ruby -e`), records go to stderr, which Node also logs.
  class Log
    LEVELS = [:debug, :info, :warn, :error, :fatal].freeze

    class << self
      attr_accessor :sink

      def instance
        self
      end

      def configure(_logger = nil)
        self
      end

      def set_logger(logger)
        @sink = logger.respond_to?(:call) ? logger : nil
      end

      def logger
        self
      end

      def config_and_check_level(_level)
        true
      end

      def cycle_level; end

      # "file.rb:12:in `method'" of the code that asks, as log lines name where they come from.
      def from
        loc = caller_locations(1, 1)&.first
        loc ? "#{File.basename(loc.path)}:#{loc.lineno}:in `#{loc.label}'" : "unknown"
      end

      def reopen; end

      LEVELS.each do |level|
        define_method(level) { |msg| log(level, msg, caller_location) }
      end

      # Logs msg at level, prefixed with the caller's file:line as mcollectived did.
      def log(level, msg, origin = caller_location)
        line = "#{origin}: #{msg}"
        if @sink
          @sink.call(level, line)
        else
          $stderr.puts("#{level} #{line}")
        end
      end

      private

      def caller_location
        loc = caller_locations(2, 1)&.first
        loc ? "#{File.basename(loc.path)}:#{loc.lineno}" : "unknown"
      end
    end
  end
end
