module MCollective
  module Validator
    # Strings without shell metacharacters.
    class ShellsafeValidator
      def self.validate(validator)
        raise(ValidatorError, "value should be a String") unless validator.is_a?(String)

        ["`", "$", ";", "|", "&&", ">", "<"].each do |chr|
          raise(ValidatorError, "value should not have #{chr} in it") if validator.include?(chr)
        end
      end
    end
  end
end
