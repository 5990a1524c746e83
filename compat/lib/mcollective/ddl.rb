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

      def new(*args, **kwargs, &blk)
        Cache.setup(:ddl, 300)
        key = [args[0].to_s, (args[1] || :agent).to_s]
        begin
          Cache.read(:ddl, key)
        rescue StandardError
          Cache.write(:ddl, key, load_ddl(*args, **kwargs, &blk))
        end
      end

      def load_ddl(plugin, plugintype = :agent, loadddl = true)
        klass = plugintype.to_s == "agent" ? AgentDDL : Base
        klass.new(plugin, plugintype, loadddl)
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
