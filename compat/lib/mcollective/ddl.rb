module MCollective
  # DDL files: the Ruby DSL (`metadata`, `action`, `input`, `output`, ...) or Choria JSON DDLs.
  # DDL.new(name, type) finds <libdir>/mcollective/<type>/<name>.ddl, or a file registered with DDL.register.
  module DDL
    @files = {}

    class << self
      attr_reader :files

      # Points DDL.new(name, type) at an explicit file (bundled agents keep their DDLs outside libdirs).
      def register(name, type, path)
        @files[[name.to_s, type.to_s]] = path
      end

      # The parsed DDL of a plugin, cached for 300 s as mcollectived did.
      def new(plugin, plugintype = :agent, loadddl = true)
        Cache.setup(:ddl, 300)
        key = [plugin.to_s, plugintype.to_s]
        begin
          Cache.read(:ddl, key)
        rescue StandardError
          klass = { "agent" => AgentDDL, "data" => DataDDL, "discovery" => DiscoveryDDL }.fetch(plugintype.to_s, Base)
          Cache.write(:ddl, key, klass.new(plugin, plugintype, loadddl))
        end
      end

      def string_to_number(val)
        return Integer(val) if val =~ /\A-?\d+\z/
        return Float(val) if val =~ /\A-?\d+\.\d+\z/

        val
      end

      def string_to_boolean(val)
        return true if %w[true t yes y 1].include?(val.to_s.downcase)
        return false if %w[false f no n 0].include?(val.to_s.downcase)

        raise(ArgumentError, "#{val} does not look like a boolean argument")
      end
    end
  end
end

require "mcollective/ddl/base"
require "mcollective/ddl/agentddl"
require "mcollective/ddl/dataddl"
require "mcollective/ddl/discoveryddl"
