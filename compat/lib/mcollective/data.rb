module MCollective
  # Data plugins (`package('bash').status` in -S filters): Data::Base subclasses register as "<name>_data".
  module Data
    @loaded = false

    class << self
      # Loads the data plugins of every libdir, dropping those whose activate_when says no.
      def load_data_sources
        @loaded = true
        PluginManager.find_and_load("data")
        PluginManager.grep(/_data$/).each do |plugin|
          PluginManager[plugin].activate? || PluginManager.delete(plugin)
        rescue StandardError => e
          Log.debug("Disabling data plugin #{plugin} due to exception #{e.class}: #{e}")
          PluginManager.delete(plugin)
        end
      end

      def pluginname(plugin)
        plugin.to_s =~ /^(.+)_data$/ ? plugin.to_s : "#{plugin}_data"
      end

      def [](plugin)
        load_data_sources unless @loaded
        PluginManager[pluginname(plugin)]
      end

      # Data.package("bash") -> the lookup result of the package data plugin (plugins load on first use).
      def method_missing(method, *args)
        load_data_sources unless @loaded
        super unless PluginManager.include?(pluginname(method))
        PluginManager[pluginname(method)].lookup(args.first)
      end

      def respond_to_missing?(method, include_private = false)
        load_data_sources unless @loaded
        PluginManager.include?(pluginname(method)) || super
      end

      def ddl(plugin)
        DDL.new(pluginname(plugin), :data)
      end

      def ddl_has_output?(ddl, output)
        ddl.entities[:data][:output].include?(output.to_sym)
      rescue StandardError
        false
      end

      def ddl_validate(ddl, argument)
        name = ddl.meta[:name]
        query = ddl.entities[:data]
        raise(DDLValidationError, "No dataquery has been defined in the DDL for data plugin #{name}") unless query

        input = query.fetch(:input, {})
        raise(DDLValidationError, "No output has been defined in the DDL for data plugin #{name}") if query.fetch(:output, {}).empty?

        unless input[:query]
          raise(DDLValidationError, "No data plugin argument was declared in the #{name} DDL but an input was supplied") unless argument.nil?

          return true
        end
        return true if argument.nil? && input[:query][:optional]

        ddl.validate_input_argument(input, :query, argument)
      end

      def ddl_transform_input(ddl, input)
        type = ddl.entities[:data][:input][:query][:type]
        case type
        when :boolean then DDL.string_to_boolean(input)
        when :number, :integer, :float then DDL.string_to_number(input)
        else input
        end
      rescue StandardError
        input
      end
    end
  end
end

require "mcollective/data/result"
require "mcollective/data/base"
