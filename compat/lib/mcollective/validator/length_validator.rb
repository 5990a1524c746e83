module MCollective
  module Validator
    # Strings no longer than a maximum.
    class LengthValidator
      def self.validate(validator, length)
        return unless validator.size > length && length.positive?

        raise(ValidatorError, "Input string is longer than #{length} character(s)")
      end
    end
  end
end
