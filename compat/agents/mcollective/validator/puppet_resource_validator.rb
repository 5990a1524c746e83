module MCollective
  module Validator
    # Type[title] resource references.
    class Puppet_resourceValidator
      def self.validate(resource)
        Validator.typecheck(resource, :string) || raise(ValidatorError, "#{resource} should be a string")
        raise(ValidatorError, "#{resource} should be a string in the form Type[title]") unless resource =~ /\A[a-zA-Z0-9_:]+\[.+\]\z/
      end
    end
  end
end
