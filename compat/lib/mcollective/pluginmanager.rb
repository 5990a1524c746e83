module MCollective
  # Registry of plugins by name ("package_agent", "shellsafe_validator", ...) and class loader over $LOAD_PATH.
  module PluginManager
    @plugins = {}

    class << self
      # Registers a plugin: {:type => name, :class => class or name, :single_instance => bool}.
      def <<(plugin)
        plugin[:single_instance] = true unless plugin.include?(:single_instance)
        type = plugin[:type]
        klass = plugin[:class]
        raise("Plugin #{type} already loaded") if @plugins.include?(type)

        @plugins[type] = { loadtime: Time.now, class: klass, instance: nil, single: plugin[:single_instance] }
      end

      def delete(plugin)
        @plugins.delete(plugin)
      end

      def include?(plugin)
        @plugins.include?(plugin)
      end

      def pluginlist
        @plugins.keys.sort
      end

      def clear
        @plugins.clear
      end

      # The plugin instance (cached for single-instance plugins); raises when none is registered.
      def [](plugin)
        raise("No plugin #{plugin} defined") unless @plugins.include?(plugin)

        entry = @plugins[plugin]
        return create_instance(plugin) unless entry[:single]

        entry[:instance] ||= create_instance(plugin)
      end

      def create_instance(plugin)
        klass = @plugins[plugin][:class]
        klass = Object.const_get(klass) if klass.is_a?(String)
        klass.new
      rescue StandardError => e
        raise("Could not create instance of plugin #{plugin}: #{e.class}: #{e}")
      end

      # Names of the plugin files of a type found in every libdir: find(:agent) -> ["package", ...]. Our own
      # library's files are not plugins (they are required already), nor are another MCollective library's.
      def find(type, extension = "rb")
        $LOAD_PATH.flat_map do |dir|
          Dir.glob(File.join(dir, "mcollective", type.to_s, "*.#{extension}")).reject { |f| own_or_foreign?(f) }.map { |f| File.basename(f, ".#{extension}") }
        end.uniq
      end

      def own_or_foreign?(file)
        File.expand_path(file).start_with?("#{MCollective::LIBDIR}/") || MCollective.foreign_file?(file)
      end

      # Loads every plugin of a type the block accepts.
      def find_and_load(type, extension = "rb")
        klasses = find(type, extension).map do |plugin|
          next if block_given? && !yield(plugin)

          "MCollective::#{type.to_s.capitalize}::#{plugin.capitalize}"
        end.compact
        klasses.each { |klass| loadclass(klass, true) }
        klasses
      end

      # `load`s the file for a class name: "MCollective::Util::Package::Base" -> mcollective/util/package/base.rb.
      def loadclass(klass, squash_failures = false)
        fname = "#{klass.gsub('::', '/').downcase}.rb"
        path = $LOAD_PATH.map { |dir| File.join(dir, fname) }.find { |f| File.exist?(f) && !MCollective.foreign_file?(f) }
        raise(LoadError, "cannot load such file -- #{fname}") unless path

        load(path)
      rescue StandardError, LoadError, SyntaxError => e
        raise unless squash_failures

        Log.error("Failed to load #{klass}: #{e}")
      end

      def grep(regex)
        @plugins.keys.grep(regex)
      end
    end
  end
end
