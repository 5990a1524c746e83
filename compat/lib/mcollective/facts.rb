module MCollective
  # Node facts for agents: Facts.get_fact("osfamily"). Read from the YAML files named by
  # plugin.yaml (colon separated), cached for fact_cache_time seconds.
  module Facts
    @cache = nil
    @loaded_at = Time.at(0)

    class << self
      def get_facts
        config = Config.instance
        return @cache if @cache && Time.now - @loaded_at < config.fact_cache_time

        @loaded_at = Time.now
        @cache = config.pluginconf.fetch("yaml", "").split(File::PATH_SEPARATOR).reject(&:empty?).each_with_object({}) do |file, facts|
          data = File.exist?(file) ? YAML.safe_load(File.read(file)) : nil
          facts.merge!(flatten(data)) if data.is_a?(Hash)
        rescue StandardError => e
          Log.warn("Could not read facts from #{file}: #{e}")
        end
      end

      def get_fact(fact)
        get_facts[fact.to_s]
      end

      def [](fact)
        get_fact(fact)
      end

      def has_fact?(fact, value, operator = "==")
        actual = get_fact(fact)
        return false if actual.nil?

        case operator
        when "=~" then actual.to_s.match?(Regexp.new(value.to_s.delete_prefix("/").delete_suffix("/")))
        when "!=" then actual.to_s != value.to_s
        when "<", ">", "<=", ">=" then Float(actual).public_send(operator, Float(value))
        else actual.to_s == value.to_s
        end
      rescue ArgumentError
        false
      end

      def force_reload
        @cache = nil
      end

      private

      # Nested facts are reachable both whole and as dotted names (os.family).
      def flatten(hash, prefix = nil, out = {})
        hash.each do |key, value|
          name = prefix ? "#{prefix}.#{key}" : key.to_s
          out[name] = value
          flatten(value, name, out) if value.is_a?(Hash)
        end
        out
      end
    end
  end
end
