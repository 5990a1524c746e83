module MCollective
  module DDL
    # Agent DDLs: actions with inputs, outputs, display and aggregates.
    class AgentDDL < Base
      def initialize(plugin, plugintype = :agent, loadddl = true)
        @process_aggregate_functions = nil
        super
      end

      def action(name, input, &block)
        raise("Action needs a :description property") unless input.include?(:description)

        @entities[name] ||= { action: name, input: {}, output: {}, display: :failed, description: input[:description] }
        @current_entity = name
        instance_eval(&block) if block
        @current_entity = nil
      end

      def display(pref)
        pref = :always if pref == :flatten
        raise("Display preference #{pref} is not valid, should be :ok, :failed, :flatten or :always") unless [:ok, :failed, :always].include?(pref)

        @entities[@current_entity][:display] = pref
      end

      # Aggregates are client side; the block is recorded, not evaluated, on a server.
      def summarize(&block)
        @entities[@current_entity][:summarize] = block
      end

      def aggregate(function, format = { format: nil })
        (@entities[@current_entity][:aggregate] ||= []) << { function: function, args: [format] }
      end

      def actions
        @entities.keys
      end

      def action_interface(name)
        @entities[name] || {}
      end

      def is_function?(method_name)
        PluginManager.find("aggregate").include?(method_name.to_s)
      end

      # Input values as the server sees them: string keys mapped to the DDL's symbols.
      def symbolize_basic_input_arguments(input, arguments)
        warn_symbols = arguments.keys.select { |key| key.is_a?(String) && input.include?(key.to_sym) }
        warn_symbols.each { |key| arguments[key.to_sym] = arguments.delete(key) }
      end

      # Client side only in mcollectived; kept for agents and tools that call it.
      def set_default_input_arguments(action, arguments)
        input = action_interface(action)[:input] || {}
        input.each do |key, spec|
          arguments[key] = spec[:default] if !arguments.include?(key) && !spec[:default].nil? && !spec[:optional]
        end
      end

      # Raises DDLValidationError unless the request data satisfies the action's declared inputs.
      def validate_rpc_request(action, arguments)
        unless actions.include?(action)
          raise(DDLValidationError, "Attempted to call action #{action} for #{@pluginname} but it's not declared in the DDL")
        end

        input = action_interface(action)[:input] || {}
        symbolize_basic_input_arguments(input, arguments) if arguments.is_a?(Hash)
        input.each_key do |key|
          if !input[key][:optional] && !arguments.include?(key)
            raise(DDLValidationError, "Action #{action} needs a #{key} argument")
          end

          validate_input_argument(input, key, arguments[key]) if arguments.include?(key)
        end
        true
      end

      # Every output of the action with its DDL default (nil when none).
      def output_defaults(action)
        (action_interface(action)[:output] || {}).to_h { |key, spec| [key, spec[:default]] }
      end
    end
  end
end
