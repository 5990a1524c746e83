module MCollective
  module Validator
    # Service names: letters, digits and . - _ : @
    class Service_nameValidator
      def self.validate(service_name)
        Validator.typecheck(service_name, :string) || raise(ValidatorError, "#{service_name} is not a valid service name")
        raise(ValidatorError, "#{service_name} is not a valid service name") unless service_name =~ /\A[a-zA-Z.\-_\d:@]+\z/
      end
    end
  end
end
