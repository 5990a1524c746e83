module MCollective
  module Validator
    # Strings matching a regular expression.
    class RegexValidator
      def self.validate(validator, regex)
        raise(ValidatorError, "value should match #{regex}") unless validator.to_s.match?(Regexp.new(regex))
      end
    end
  end
end
