module MCollective
  module Validator
    # Values of a DDL type (:string, :integer, :boolean, ...).
    class TypecheckValidator
      def self.validate(validator, validation_type)
        raise(ValidatorError, "value should be a #{validation_type}") unless Validator.typecheck(validator, validation_type)
      end
    end
  end
end
