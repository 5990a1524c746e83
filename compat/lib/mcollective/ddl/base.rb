module MCollective
  module DDL
    # The DSL shared by every DDL type, and input validation.
    class Base
      attr_reader :meta, :entities, :pluginname, :plugintype, :usage, :requirements

      def initialize(plugin, plugintype = :agent, loadddl = true)
        @entities = {}
        @meta = {}
        @usage = ""
        @config = Config.instance
        @pluginname = plugin.to_s
        @plugintype = plugintype.to_sym
        @requirements = {}
        @current_entity = nil
        loadddlfile if loadddl
      end

      # The DDL file for this plugin: a registered path, else the first libdir that has one.
      def findddlfile(ddlname = @pluginname, ddltype = @plugintype)
        registered = DDL.files[[ddlname.to_s, ddltype.to_s]]
        return registered if registered

        %w[ddl json].each do |ext|
          $LOAD_PATH.each do |dir|
            file = File.join(dir, "mcollective", ddltype.to_s, "#{ddlname}.#{ext}")
            return file if File.exist?(file) && !MCollective.foreign_file?(file)
          end
        end
        false
      end

      def loadddlfile
        file = findddlfile
        raise("Can't find DDL for #{@plugintype} plugin '#{@pluginname}'") unless file

        if file.end_with?(".json")
          JsonLoader.new(self).load(JSON.parse(File.read(file)))
        else
          instance_eval(File.read(file), file, 1)
        end
      end

      def metadata(meta)
        [:name, :description, :author, :license, :version, :url, :timeout].each do |arg|
          raise("Metadata needs a :#{arg} property") unless meta.include?(arg)
        end
        @meta = meta
      end

      def requires(requirement)
        raise("Requirement should be a hash in the form :item => 'requirement'") unless requirement.is_a?(Hash)

        requirement.each do |key, version|
          raise("Requirement #{key} is not a valid requirement, only mcollective is supported") unless key == :mcollective

          @requirements[key] = version
        end
        validate_requirements
      end

      # The plugin's help text: an ERB template (by default `<type>-help.erb` of the config directory, as sites
      # installed them) given meta, entities, requirements and the rendered metadata-help.erb as `metastring`.
      def help(template = nil)
        template ||= template_for_plugintype
        template = Util.templatepath(template) unless Util.absolute_path?(template)
        meta = @meta
        entities = @entities
        requirements = @requirements
        metastring = File.basename(template) == "metadata-help.erb" ? "" : render(Util.templatepath("metadata-help.erb"), binding)
        render(template, binding)
      end

      def template_for_plugintype
        return "rpc-help.erb" if @plugintype == :agent

        File.exist?(Util.templatepath("#{@plugintype}-help.erb")) ? "#{@plugintype}-help.erb" : "metadata-help.erb"
      end

      # Raises DDLValidationError when the plugin needs a newer MCollective than this one.
      def validate_requirements
        wanted = @requirements[:mcollective]
        if wanted && Util.versioncmp(Util.mcollective_version, wanted) < 0
          raise(DDLValidationError, "#{@plugintype.to_s.capitalize} plugin '#{@pluginname}' requires MCollective version #{wanted} or newer")
        end

        true
      end

      def usage(usage_text = nil)
        usage_text ? @usage = usage_text : @usage
      end

      def input(argument, properties)
        raise("Input needs to be defined within an action or dataquery") unless @current_entity

        [:prompt, :description, :type].each do |arg|
          raise("Input needs a :#{arg} argument") unless properties.include?(arg)
        end
        input = @entities[@current_entity][:input][argument] = { prompt: properties[:prompt],
                                                                 description: properties[:description],
                                                                 type: properties[:type],
                                                                 default: properties[:default],
                                                                 optional: properties[:optional] }
        case properties[:type]
        when :string
          raise("Input type :string needs a :validation argument") unless properties.include?(:validation)
          raise("Input type :string needs a :maxlength argument") unless properties.include?(:maxlength)

          input[:validation] = properties[:validation]
          input[:maxlength] = properties[:maxlength]
        when :list
          raise("Input type :list needs a :list argument") unless properties.include?(:list)

          input[:list] = properties[:list]
        end
      end

      def output(argument, properties)
        raise("Output needs to be defined within an action or dataquery") unless @current_entity
        raise("Output #{argument} needs a description argument") unless properties.include?(:description)
        raise("Output #{argument} needs a display_as argument") unless properties.include?(:display_as)

        @entities[@current_entity][:output][argument] = { description: properties[:description],
                                                          display_as: properties[:display_as],
                                                          default: properties[:default],
                                                          type: properties[:type] }
      end

      # Validates one input value against its declaration; raises DDLValidationError.
      def validate_input_argument(input, key, argument)
        spec = input[key]
        case spec[:type]
        when :string
          raise(DDLValidationError, "Input #{key} should be a string") unless argument.is_a?(String)

          Validator.validate(argument, :string)
          Validator::LengthValidator.validate(argument, spec[:maxlength].to_i) if spec[:maxlength].to_i.positive?
          Validator.validate(argument, spec[:validation]) if spec[:validation]
        when :list
          Validator::ArrayValidator.validate(argument, spec[:list])
        else
          Validator::TypecheckValidator.validate(argument, spec[:type]) if Validator::TYPES.include?(spec[:type])
        end
        true
      rescue ValidatorError => e
        raise(DDLValidationError, "Cannot validate input #{key}: #{e}")
      end

      private

      def render(file, scope)
        ERB.new(File.read(file), trim_mode: "%").result(scope)
      end
    end

    # Maps a Choria JSON DDL onto the DSL calls, so both formats give the same object.
    class JsonLoader
      def initialize(ddl)
        @ddl = ddl
      end

      def load(json)
        @ddl.metadata(symbolize(json.fetch("metadata")))
        Array(json["actions"]).each do |act|
          @ddl.action(act["action"], description: act["description"]) do
            (act["input"] || {}).each { |name, props| input(name.to_sym, JsonLoader.input_props(props)) }
            (act["output"] || {}).each { |name, props| output(name.to_sym, JsonLoader.symbolize(props)) }
            display((act["display"] || "failed").to_sym)
          end
        end
      end

      def self.symbolize(hash)
        hash.to_h { |k, v| [k.to_sym, v] }
      end

      def self.input_props(props)
        out = symbolize(props)
        out[:type] = out[:type].to_sym if out[:type]
        validation = out[:validation]
        out[:validation] = validation.sub(/\A:/, "").to_sym if validation.is_a?(String) && validation =~ /\A:?[a-z_0-9]+\z/ && !validation.start_with?("^")
        out
      end

      private

      def symbolize(hash)
        self.class.symbolize(hash)
      end
    end
  end
end
