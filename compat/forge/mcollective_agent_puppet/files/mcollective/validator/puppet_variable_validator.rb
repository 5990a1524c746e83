module MCollective
  module Validator
    # Puppet variable names (environments): one letter, or letters, digits and underscores.
    class Puppet_variableValidator
      def self.validate(variable)
        Validator.typecheck(variable, :string) || raise(ValidatorError, "Invalid variable name '#{variable}' specified")
        Validator.validate(variable, :shellsafe)
        valid = variable.size == 1 ? variable =~ /\A[a-zA-Z]\z/ : variable =~ /\A[a-zA-Z0-9_]+\z/
        raise(ValidatorError, "Invalid variable name '#{variable}' specified") unless valid
      end
    end
  end
end
