module MCollective
  # Input validation: type symbols, regular expressions, lists, classes and named validator plugins.
  # As MCollective: every .rb in each libdir's mcollective/validator/ is loaded, then :service_name is the class
  # Service_nameValidator, whatever file defined it (service_name.rb or service_name_validator.rb).
  module Validator
    TYPES = [:integer, :float, :number, :string, :boolean, :array, :hash].freeze
    @loaded = false

    class << self
      # Raises ValidatorError unless value passes validation (Symbol, Regexp/String, Array, Class).
      def validate(value, validation)
        case validation
        when Regexp, String
          RegexValidator.validate(value, validation)
        when Symbol
          if TYPES.include?(validation)
            TypecheckValidator.validate(value, validation)
          else
            named(validation).validate(value)
          end
        when Array
          ArrayValidator.validate(value, validation)
        when Class
          raise(ValidatorError, "value should be a #{validation}") unless value.is_a?(validation)
        else
          raise(ValidatorError, "Unknown validation type #{validation.inspect}")
        end
        true
      rescue ValidatorError
        raise
      rescue StandardError => e
        raise(ValidatorError, e.to_s)
      end

      def typecheck(value, type)
        case type.to_sym
        when :string then value.is_a?(String)
        when :integer then value.is_a?(Integer)
        when :float then value.is_a?(Float) || value.is_a?(Integer)
        when :number then value.is_a?(Numeric)
        when :boolean then [true, false].include?(value)
        when :array then value.is_a?(Array)
        when :hash then value.is_a?(Hash)
        else true
        end
      end

      # The validator class for a name; the libdirs' validator plugins are loaded on the first name not yet defined.
      def named(name)
        class_name = "#{name.to_s.capitalize}Validator"
        load_validators unless @loaded || const_defined?(class_name, false)
        raise(ValidatorError, "Unknown validator: '#{name}'.") unless const_defined?(class_name, false)

        const_get(class_name, false)
      end

      def [](name)
        named(name)
      end

      def has_validator?(name)
        named(name)
        true
      rescue ValidatorError
        false
      end

      # Loads every validator plugin file found in the libdirs, once; a file that fails is logged and skipped.
      def load_validators
        @loaded = true
        PluginManager.find_and_load("validator")
      end

      # Validator.shellsafe(v) and friends call the named validator.
      def method_missing(name, *args, &block)
        has_validator?(name) ? named(name).validate(*args) : super
      end

      def respond_to_missing?(name, include_private = false)
        has_validator?(name) || super
      end
    end
  end
end

require "mcollective/validator/shellsafe_validator"
require "mcollective/validator/typecheck_validator"
require "mcollective/validator/regex_validator"
require "mcollective/validator/length_validator"
require "mcollective/validator/array_validator"
require "mcollective/validator/ipv4address_validator"
require "mcollective/validator/ipv6address_validator"
