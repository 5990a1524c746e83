module MCollective
  module Data
    # Base of data plugins: `query { |what| result[:x] = ... }` and `activate_when { ... }`.
    class Base
      attr_reader :name, :result, :ddl, :timeout

      def self.inherited(klass)
        super
        type = klass.to_s.split("::").last.downcase
        PluginManager.delete(type)
        PluginManager << { type: type, class: klass.to_s, single_instance: false }
      end

      def initialize
        @name = self.class.to_s.split("::").last.downcase
        @ddl = DDL.new(@name, :data)
        @result = Result.new(@ddl.entities.dig(:data, :output)&.transform_values { |spec| spec[:default] } || {})
        @timeout = @ddl.meta[:timeout] || 1
        startup_hook
      end

      # Validates the argument against the DDL and runs the query. The deadline is Node's (it kills an
      # overrunning worker): Ruby's Timeout could interrupt a half-done `require "puppet"` and break the worker.
      def lookup(what)
        Data.ddl_validate(@ddl, what)
        query_data(what)
        @result
      end

      def self.query(&block)
        define_method(:query_data, &block)
      end

      def self.activate_when(&block)
        define_singleton_method(:activate?, &block)
      end

      def self.activate?
        true
      end

      def activate?
        self.class.activate?
      end

      def startup_hook; end
    end
  end
end
