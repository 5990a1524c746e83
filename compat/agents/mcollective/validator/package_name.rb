module MCollective
  module Validator
    # Package names: letters, digits and . - _
    class Package_nameValidator
      def self.validate(package_name)
        Validator.typecheck(package_name, :string) || raise(ValidatorError, "#{package_name} is not a valid package name")
        raise(ValidatorError, "#{package_name} is not a valid package name") unless package_name =~ /\A[a-zA-Z.\-_\d]+\z/
      end
    end
  end
end
