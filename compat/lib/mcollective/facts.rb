module MCollective
  # Node facts for agents: Facts["osfamily"], Facts.get_fact("os.family"). They are the facts the server's own
  # filters see (src/server/facts.ts), handed over by Node with each call, so Ruby never reads them another way.
  module Facts
    @facts = {}

    class << self
      # Called by the worker with the facts Node has (string keys, nested hashes and lists as the source gave them).
      def given(facts)
        @facts = facts.is_a?(Hash) ? facts : {}
      end

      def get_facts
        @facts
      end

      # A fact by name, or by dot path through hashes and lists ("os.release.major", "tags.0"), as the filters read it.
      def get_fact(fact)
        name = fact.to_s
        return @facts[name] if @facts.include?(name)

        name.split(".").reduce(@facts) do |node, part|
          case node
          when Hash then node[part]
          when Array then part.match?(/\A\d+\z/) ? node[part.to_i] : nil
          end
        end
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

      def force_reload; end
    end

    # PluginManager["facts_plugin"] in a worker, for agents that ask it rather than Facts: the facts Node handed over.
    class Given
      def get_facts
        Facts.get_facts
      end

      def get_fact(fact = nil)
        fact.nil? ? Facts.get_facts : Facts.get_fact(fact)
      end

      def has_fact?(fact)
        !Facts.get_fact(fact).nil?
      end
    end

    # Base of fact source plugins (`factsource = <name>`: MCollective::Facts::<Name>_facts in facts/<name>_facts.rb).
    # mcompat runs one in a Ruby process of its own to give the server its facts; values are strings, as
    # MCollective made them.
    class Base
      def self.inherited(klass)
        super
        PluginManager.delete("facts_plugin")
        PluginManager << { type: "facts_plugin", class: klass.to_s }
      end

      # The plugin's facts, keys and values as strings (lists and hashes kept); raises when it gives none.
      def get_facts
        facts = load_facts_from_source
        raise("Got empty facts") if facts.nil? || facts.empty?

        normalize_facts(facts)
      end

      def get_fact(fact = nil)
        fact.nil? ? get_facts : get_facts[fact.to_s]
      end

      def has_fact?(fact)
        get_facts.include?(fact.to_s)
      end

      def force_reload?
        false
      end

      private

      def normalize_facts(value)
        case value
        when Array then value.map { |v| normalize_facts(v) }
        when Hash then value.each_with_object({}) { |(k, v), out| out[k.to_s] = normalize_facts(v) }
        else value.to_s
        end
      end
    end
  end
end
