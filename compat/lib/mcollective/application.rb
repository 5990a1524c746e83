module MCollective
  # Base of `mco` application plugins: a class-level DSL (description, usage, option, exclude_argument_sections)
  # and #run, which parses the command line, validates it and calls the plugin's #main.
  class Application
    include RPC

    class << self
      def application_options
        @application_options ||= { description: nil, usage: [], cli_arguments: [], exclude_arg_sections: [] }
      end

      def []=(option, value)
        application_options[option] = value
      end

      def [](option)
        application_options[option]
      end

      def description(text)
        self[:description] = text
      end

      def usage(text)
        self[:usage] << text
      end

      def exclude_argument_sections(*sections)
        sections = sections.flatten
        sections.each { |s| raise("Unknown CLI argument section #{s}") unless %w[rpc common filter].include?(s) }
        self[:exclude_arg_sections] = sections
      end

      # Declares a command line option: option :name, :description, :arguments, :type (:bool, :array or a
      # class OptionParser converts to), :required, :validate (a proc answering true or a reason), :default.
      def option(name, arguments)
        self[:cli_arguments] << { name: name, description: nil, arguments: [], type: String, required: false,
                                  validate: proc { true } }.merge(arguments)
      end
    end

    # The values of the application's own options.
    def configuration
      @application_configuration ||= {}
    end

    # The standard options hash (filters, timeouts, ...) the RPC clients are made from.
    attr_reader :options

    def application_options
      self.class.application_options
    end

    def application_description
      application_options[:description]
    end

    def application_usage
      application_options[:usage].empty? ? false : application_options[:usage]
    end

    def application_cli_arguments
      application_options[:cli_arguments]
    end

    def validate_option(blk, name, value)
      outcome = blk.call(value)
      return if outcome == true

      STDERR.puts("Validation of #{name} failed: #{outcome}")
      exit(1)
    end

    # Parses ARGV into #options and #configuration; with help = true returns the help text instead.
    def application_parse_options(help = false)
      @options ||= { verbose: false }
      @options = clioptions(help) do |parser, _options|
        parser.define_head(application_description) if application_description
        parser.banner = ""
        if application_usage
          parser.separator ""
          application_usage.each { |u| parser.separator("Usage: #{u}") }
          parser.separator ""
        end
        parser.separator("Application Options") unless application_cli_arguments.empty?
        parser.define_tail("")
        parser.define_tail("The Marionette Collective #{MCollective.version}")
        application_cli_arguments.each { |arg| define_cli_argument(parser, arg) }
      end
    end

    def clioptions(help)
      excluded = application_options[:exclude_arg_sections]
      parser = Optionparser.new({ verbose: false, progress_bar: true }, "filter", excluded)
      options = parser.parse do |p, opts|
        yield(p, opts) if block_given?
        RPC::Helpers.add_simplerpc_options(p, opts) unless excluded.include?("rpc")
      end
      return parser.parser.help if help

      validate_cli_options
      post_option_parser(configuration) if respond_to?(:post_option_parser)
      options
    rescue Exception => e # rubocop:disable Lint/RescueException -- reported as an application failure
      application_failure(e)
    end

    def validate_cli_options
      missing = application_cli_arguments.select { |arg| arg[:required] && !configuration[arg[:name]] }
      return if missing.empty?

      missing.each { |arg| STDERR.puts("The #{arg[:name]} option is mandatory") }
      STDERR.puts("\nPlease run with --help for detailed help")
      exit(1)
    end

    def application_failure(err, err_dest = STDERR)
      if err.is_a?(SystemExit)
        disconnect
        raise(err)
      end
      verbose = options.nil? || options[:verbose]
      if verbose
        err_dest.puts(format("\nThe %s application failed to run: %s\n", Util.colorize(:bold, $0), Util.colorize(:red, err.to_s)))
        trace = Array(err.backtrace)
        err_dest.puts(format("\n%s %s", Util.colorize(:red, err.to_s), Util.colorize(:bold, "(#{err.class})")))
        trace.each_with_index { |line, i| err_dest.puts("\tfrom #{line}#{i.zero? ? Util.colorize(:red, '  <----') : ''}") }
      else
        err_dest.puts(format("\nThe %s application failed to run, use -v for full error backtrace details: %s\n",
                             Util.colorize(:bold, $0), Util.colorize(:red, err.to_s)))
      end
      disconnect
      exit(1)
    end

    def help
      application_parse_options(true)
    end

    def run
      application_parse_options
      validate_configuration(configuration) if respond_to?(:validate_configuration)
      main
      disconnect
    rescue Exception => e # rubocop:disable Lint/RescueException -- every failure ends as mco reports it
      application_failure(e)
    end

    def disconnect; end

    def main
      STDERR.puts("Applications need to supply a 'main' method")
      exit(1)
    end

    # mco's exit code for a call's stats (mco-client.md A.7).
    def halt_code(stats)
      s = { discoverytime: 0, discovered: 0, okcount: 0, failcount: 0 }.merge(stats.to_hash)
      return 4 if s[:discoverytime].zero? && s[:responses].zero?
      return 3 if s[:discovered].positive? && s[:responses].zero?
      return 2 if s[:discovered].positive? && s[:failcount].positive?
      return (s[:responses].to_i.positive? ? 0 : 1) if s[:discovered].zero?

      0
    end

    def halt(stats)
      exit(halt_code(stats))
    end

    # rpcclient with this application's options, so its filters and flags always apply.
    def rpcclient(agent, flags = {})
      flags[:options] = options unless flags.include?(:options)
      flags[:exit_on_failure] = false
      super
    end

    private

    def define_cli_argument(parser, arg)
      configuration[arg[:name]] = arg[:default] if arg.include?(:default)
      spec = [arg[:arguments]].flatten
      spec << arg[:type] if arg[:type] && !%i[boolean bool array].include?(arg[:type])
      spec << arg[:description]
      parser.on(*spec) do |value|
        validate_option(arg[:validate], arg[:name], value)
        if arg[:type] == :array
          (configuration[arg[:name]] ||= []) << value
        else
          configuration[arg[:name]] = value
        end
      end
    end
  end
end
