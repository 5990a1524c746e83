module MCollective
  # Application plugins: <libdir>/mcollective/application/<name>.rb defining MCollective::Application::<Name>.
  class Applications
    def self.[](appname)
      load_application(appname)
      PluginManager["#{appname}_application"]
    end

    def self.load_application(appname)
      return if PluginManager.include?("#{appname}_application")

      PluginManager.loadclass("MCollective::Application::#{appname.capitalize}")
      PluginManager << { type: "#{appname}_application", class: "MCollective::Application::#{appname.capitalize}" }
    end

    # Loads and runs one application; a file that fails to load is reported as mco reported it.
    def self.run(appname)
      begin
        load_application(appname)
      rescue Exception => e # rubocop:disable Lint/RescueException -- any load failure is reported, then exit 1
        STDERR.puts("Application '#{appname}' failed to load:", "", "   #{e} (#{e.class})", "",
                    "       #{Array(e.backtrace).join("\n       ")}")
        exit(1)
      end
      PluginManager["#{appname}_application"].run
    end

    # Every application name in the libdirs.
    def self.list
      PluginManager.find("application")
    end

    # From MCOLLECTIVE_EXTRA_OPTS-style text, only the --config / -c option (as --config=FILE), else "".
    def self.filter_extra_options(opts)
      words = Shellwords.shellwords(opts)
      words.each_with_index do |word, i|
        return "--config=#{words[i + 1]}" if %w[-c --config].include?(word)
        return word if word =~ /\A(-c|--config)=/
      end
      ""
    end
  end
end
