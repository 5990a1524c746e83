module MCollective
  module Data
    # A data plugin's answer: only strings, numbers and booleans may be stored.
    class Result

      def initialize(outputs)
        @data = outputs.to_h { |key, value| [key.to_sym, value] }
      end

      def include?(key)
        @data.include?(key.to_sym)
      end

      def [](key)
        @data[key.to_sym]
      end

      def []=(key, val)
        unless [String, Integer, Float, TrueClass, FalseClass].any? { |klass| val.is_a?(klass) }
          raise("Can only store String, Integer, Float or Boolean data but got #{val.class} for key #{key}")
        end

        @data[key.to_sym] = val
      end

      def keys
        @data.keys
      end

      def to_hash
        @data.dup
      end

      def method_missing(method, *args)
        key = method.to_sym
        raise(NoMethodError, "undefined local variable or method `#{key}'") unless include?(key)

        @data[key]
      end

      def respond_to_missing?(method, include_private = false)
        include?(method) || super
      end
    end
  end
end
