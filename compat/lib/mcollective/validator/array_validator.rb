module MCollective
  module Validator
    # Values from a fixed list.
    class ArrayValidator
      def self.validate(validator, array)
        raise(ValidatorError, "value should be one of #{array.join(', ')}") unless array.include?(validator)
      end
    end
  end
end
