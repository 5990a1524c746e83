# Our own implementation of the MCollective Ruby API that legacy agents call (agents.md §6).
# Standard libraries are preloaded because agents use them without requiring them.
require "json"
require "yaml"
require "tempfile"
require "timeout"
require "socket"
require "fileutils"
require "digest/md5"
require "singleton"
require "monitor"
require "shellwords"
require "stringio"
require "rbconfig"
require "erb"
require "optparse"
require "pp"
require "tmpdir"
require "open3"
begin
  require "systemu" # some third-party agents call the global systemu() directly
rescue LoadError
  nil
end

module MCollective
  VERSION = "2.12.5".freeze

  module Agent; end
  module Util; end
  module Data; end
  module Validator; end
  module RPC; end

  LIBDIR = File.expand_path(__dir__)

  # Client-side parts, loaded when a plugin first names them (a server worker never pays for them).
  autoload :Application, "mcollective/application"
  autoload :Applications, "mcollective/applications"
  autoload :Optionparser, "mcollective/optionparser"
  autoload :Matcher, "mcollective/matcher"
  autoload :SSL, "mcollective/ssl"
  autoload :Registration, "mcollective/registration"

  def self.version
    VERSION
  end

  # True for a file of another MCollective library on $LOAD_PATH (e.g. Debian's mcollective-common):
  # its mcollective/*.rb must never be mixed with ours.
  def self.foreign_file?(path)
    dir = File.expand_path(path)
    while (parent = File.dirname(dir)) != dir
      return parent != LIBDIR if File.basename(dir) == "mcollective" && File.exist?(File.join(parent, "mcollective.rb"))

      dir = parent
    end
    false
  end
end

require "mcollective/legacy_guard"
require "mcollective/monkey_patches"
require "mcollective/exceptions"
require "mcollective/log"
require "mcollective/config"
require "mcollective/util"
require "mcollective/shell"
require "mcollective/pluginmanager"
require "mcollective/cache"
require "mcollective/validator"
require "mcollective/ddl"
require "mcollective/facts"
require "mcollective/agents"
require "mcollective/data"
require "mcollective/aggregate"
require "mcollective/rpc"
