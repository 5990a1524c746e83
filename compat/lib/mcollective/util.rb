module MCollective
  # Helpers agents call as Util.x (the module is reopened by plugins: Util::Package, Util::Service, ...).
  module Util
    class << self
      # "1/yes/true/y/t" -> true, "0/no/false/n/f" -> false, anything else raises.
      def str_to_bool(val)
        text = val.to_s.strip.downcase
        return true if %w[1 yes true y t].include?(text)
        return false if %w[0 no false n f].include?(text)

        raise("Cannot convert string value '#{val}' into a boolean.")
      end

      def windows?
        !!(RbConfig::CONFIG["host_os"] =~ /mswin|win32|dos|mingw|cygwin/i)
      end

      def loadclass(klass)
        PluginManager.loadclass(klass)
      end

      def empty_filter
        { "fact" => [], "cf_class" => [], "agent" => [], "identity" => [], "compound" => [] }
      end

      def empty_filter?(filter)
        filter.nil? || filter == empty_filter || filter == {}
      end

      def shellescape(str)
        Shellwords.escape(str.to_s)
      end

      def get_fact(fact)
        Facts.get_fact(fact)
      end

      def has_fact?(fact, value, operator)
        Facts.has_fact?(fact, value, operator)
      end

      def has_cf_class?(klass)
        file = Config.instance.classesfile
        return false unless File.readable?(file)

        File.readlines(file).map(&:strip).any? do |line|
          klass =~ %r{^/(.+)/$} ? line =~ Regexp.new(Regexp.last_match(1)) : line == klass
        end
      end

      def has_identity?(identity)
        identity =~ %r{^/(.+)/$} ? Config.instance.identity =~ Regexp.new(Regexp.last_match(1)) : Config.instance.identity == identity
      end

      def has_agent?(agent)
        Agents.agentlist.include?(agent)
      end

      def absolute_path?(path, separator = File::SEPARATOR, alt_separator = File::ALT_SEPARATOR)
        seps = Regexp.escape([separator, alt_separator].compact.join)
        !!(path =~ /\A[#{seps}]/)
      end

      def command_in_path?(command)
        ENV.fetch("PATH", "").split(File::PATH_SEPARATOR).any? { |dir| File.executable?(File.join(dir, command)) }
      end

      # A `-F` string as {:fact, :value, :operator}, by mco's rules in order (`=>`, `=<`, an operator, `=/re/`, `=`);
      # nil when it is none of them.
      def parse_fact_string(fact)
        case fact
        when /\A([^ ]+?)[ ]*=>[ ]*(.+)/ then fact_hash(Regexp.last_match(1), ">=", Regexp.last_match(2))
        when /\A([^ ]+?)[ ]*=<[ ]*(.+)/ then fact_hash(Regexp.last_match(1), "<=", Regexp.last_match(2))
        when /\A([^ ]+?)[ ]*(<=|>=|<|>|!=|==|=~)[ ]*(.+)/ then fact_hash(Regexp.last_match(1), Regexp.last_match(2), Regexp.last_match(3))
        when %r{\A(.+?)[ ]*=[ ]*/(.+)/\z} then fact_hash(Regexp.last_match(1), "=~", "/#{Regexp.last_match(2)}/")
        when /\A([^= ]+?)[ ]*=[ ]*(.+)/ then fact_hash(Regexp.last_match(1), "==", Regexp.last_match(2))
        end
      end

      def fact_hash(fact, operator, value)
        { fact: fact, value: value, operator: operator }
      end

      # The options hash the standard command line starts from.
      def default_options
        { verbose: false, disctimeout: nil, timeout: 5, config: config_file_for_user, collective: nil,
          discovery_method: nil, discovery_options: Config.instance.default_discovery_options, filter: empty_filter }
      end

      # Column width for listing names: the longest, at least min_size.
      def field_size(elements, min_size = 40)
        longest = elements.map(&:length).max || 0
        longest > min_size ? longest : min_size
      end

      # How many columns of field_size fit in max_size (at least one).
      def field_number(field_size, max_size = 90)
        [(max_size / field_size).to_i, 1].max
      end

      # Reads a line from the terminal without echoing it (passwords), after printing message.
      def get_hidden_input(message = "Please enter data: ")
        print(message) unless message.nil?
        require "io/console"
        input = $stdin.noecho(&:gets)
        input&.chomp
      end

      # Where MCollective kept its files on Windows.
      def windows_prefix
        File.join(ENV.fetch("ALLUSERSPROFILE", "C:/ProgramData"), "PuppetLabs", "mcollective")
      end

      def mcollective_version
        VERSION
      end

      def ruby_version
        RUBY_VERSION
      end

      def config_file_for_user
        "/etc/mcollective/server.cfg"
      end

      # A help template beside the config file, where MCollective's packages installed them.
      def templatepath(template_file)
        File.join(Config.instance.configdir || "/etc/mcollective", template_file)
      end

      def colorize(_code, msg)
        msg.to_s
      end

      def color(_code)
        ""
      end

      def align_text(text, _console_cols = nil, preamble = 5)
        text.to_s.lines.map { |line| (" " * preamble) + line }.join
      end

      def terminal_dimensions(*)
        [80, 40]
      end

      # Puppet-style version comparison: -1, 0 or 1.
      def versioncmp(version_a, version_b)
        split = ->(v) { v.to_s.scan(/\d+|[A-Za-z]+|[.-]/).reject { |p| p =~ /[.-]/ } }
        a = split.call(version_a)
        b = split.call(version_b)
        until a.empty? && b.empty?
          x = a.shift
          y = b.shift
          return 1 if y.nil?
          return -1 if x.nil?
          next if x == y

          cmp = x =~ /\A\d+\z/ && y =~ /\A\d+\z/ ? x.to_i <=> y.to_i : x <=> y
          return cmp unless cmp.zero?
        end
        version_a.to_s <=> version_b.to_s
      end
    end
  end
end
