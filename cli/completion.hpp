// sigv4 completion bash|zsh|fish, and sigv4 man: shell completion scripts and the sigv4(1)
// manual page, both made from the commands' --help texts, so that neither can drift from them.
//
// Included once, by main.cpp, which gives the command table.
#ifndef SIGV4_CLI_COMPLETION_HPP
#define SIGV4_CLI_COMPLETION_HPP

#include "common.hpp"

#include <sigv4/version.hpp>

#include <fmt/core.h>

#include <string>
#include <string_view>
#include <vector>

namespace sigv4_cli {

/// A command as completion and the manual see it.
struct documented_command {
  std::string_view name;
  std::string_view summary;
  std::string_view help;
};

/// The flags a help text names: every "--word" (and -X, -h) at the start of a word, each
/// once, in order of first appearance.
inline std::vector<std::string> flags_in_help(std::string_view help) {
  std::vector<std::string> out;
  const auto is_word_char = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; };
  for (std::size_t i = 0; i + 1 < help.size(); ++i) {
    if (help[i] != '-' || (i > 0 && (is_word_char(help[i - 1]) || help[i - 1] == '$'))) continue;
    std::size_t j = i + 1;
    if (help[j] == '-') {
      ++j;
      const std::size_t start = j;
      while (j < help.size() && is_word_char(help[j])) ++j;
      if (j == start || help[j - 1] == '-') continue;
    } else if (help[j] == 'X' || help[j] == 'h') {
      ++j;
      if (j < help.size() && (is_word_char(help[j]) || help[j] == 'X')) continue;
    } else {
      continue;
    }
    const std::string flag(help.substr(i, j - i));
    bool seen = false;
    for (const std::string& f : out) seen = seen || f == flag;
    if (!seen) out.push_back(flag);
    i = j;
  }
  return out;
}

inline std::string join_words(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& w : words) out.append(out.empty() ? "" : " ").append(w);
  return out;
}

inline std::string bash_completion(const std::vector<documented_command>& cmds) {
  std::vector<std::string> names;
  for (const auto& c : cmds) names.emplace_back(c.name);
  std::string out = "# bash completion for sigv4 (sigv4 completion bash)\n_sigv4() {\n"
                    "  local cur=${COMP_WORDS[COMP_CWORD]}\n"
                    "  if [ \"$COMP_CWORD\" -eq 1 ]; then\n"
                    "    COMPREPLY=($(compgen -W \"" + join_words(names) + " help completion --help --version\" -- \"$cur\"))\n"
                    "    return\n  fi\n  case ${COMP_WORDS[1]} in\n";
  for (const auto& c : cmds)
    out += fmt::format("    {}) COMPREPLY=($(compgen -W \"{}\" -- \"$cur\")) ;;\n", c.name, join_words(flags_in_help(c.help)));
  out += "    completion) COMPREPLY=($(compgen -W \"bash zsh fish\" -- \"$cur\")) ;;\n"
         "    help) COMPREPLY=($(compgen -W \"" + join_words(names) + "\" -- \"$cur\")) ;;\n"
         "  esac\n}\ncomplete -o default -F _sigv4 sigv4\n";
  return out;
}

inline std::string zsh_completion(const std::vector<documented_command>& cmds) {
  std::string out = "#compdef sigv4\n# zsh completion for sigv4 (sigv4 completion zsh)\n_sigv4() {\n"
                    "  if (( CURRENT == 2 )); then\n    local -a commands\n    commands=(\n";
  for (const auto& c : cmds) {
    std::string summary(c.summary);
    for (char& ch : summary)
      if (ch == '\'' || ch == ':') ch = ' ';
    out += fmt::format("      '{}:{}'\n", c.name, summary);
  }
  out += "      'completion:print a shell completion script'\n    )\n    _describe command commands\n    return\n  fi\n"
         "  case $words[2] in\n";
  for (const auto& c : cmds)
    out += fmt::format("    {}) compadd -- {} ;;\n", c.name, join_words(flags_in_help(c.help)));
  out += "    completion) compadd -- bash zsh fish ;;\n  esac\n  _files\n}\n_sigv4 \"$@\"\n";
  return out;
}

inline std::string fish_completion(const std::vector<documented_command>& cmds) {
  std::string out = "# fish completion for sigv4 (sigv4 completion fish)\ncomplete -c sigv4 -f\n";
  for (const auto& c : cmds) {
    std::string summary(c.summary);
    for (char& ch : summary)
      if (ch == '\'') ch = ' ';
    out += fmt::format("complete -c sigv4 -n __fish_use_subcommand -a {} -d '{}'\n", c.name, summary);
  }
  out += "complete -c sigv4 -n __fish_use_subcommand -a completion -d 'print a shell completion script'\n";
  for (const auto& c : cmds)
    for (const std::string& f : flags_in_help(c.help)) {
      const bool is_long = f.size() > 2 && f[1] == '-';
      out += fmt::format("complete -c sigv4 -n '__fish_seen_subcommand_from {}' -{} {}\n", c.name, is_long ? "l" : "s",
                         f.substr(is_long ? 2 : 1));
    }
  return out;
}

/// Text for roff: a leading '.' or '\'' guarded, backslashes doubled, '-' as \-.
inline std::string roff_text(std::string_view text) {
  std::string out;
  bool line_start = true;
  for (char c : text) {
    if (line_start && (c == '.' || c == '\'')) out += "\\&";
    if (c == '\\') out += "\\e";
    else if (c == '-') out += "\\-";
    else out.push_back(c);
    line_start = c == '\n';
  }
  return out;
}

/// sigv4(1): the commands, and each command's --help as its section.
inline std::string man_page(const std::vector<documented_command>& cmds) {
  std::string out = fmt::format(".TH SIGV4 1 \"\" \"sigv4 {}\" \"User Commands\"\n", sigv4::version_string);
  out += ".SH NAME\nsigv4 \\- AWS Signature Version 4 signing, presigned S3 URLs and checks from the command line\n";
  out += ".SH SYNOPSIS\n.B sigv4\n.I command\n[\n.I options\n]\n.SH DESCRIPTION\n";
  out += "Each command documents its options with \\fBsigv4\\fR \\fIcommand\\fR \\fB\\-\\-help\\fR; this page holds the "
         "same texts. Usage errors exit 2, other failures 1.\n";
  out += ".SH COMMANDS\n";
  for (const auto& c : cmds) out += fmt::format(".TP\n.B {}\n{}\n", roff_text(c.name), roff_text(c.summary));
  out += ".TP\n.B completion bash|zsh|fish\nprint a shell completion script\n";
  for (const auto& c : cmds) {
    out += fmt::format(".SH \"SIGV4 {}\"\n.nf\n", roff_text(c.name));
    std::string help = roff_text(c.help);
    out += help;
    if (help.empty() || help.back() != '\n') out.push_back('\n');
    out += ".fi\n";
  }
  out += ".SH FILES\n.TP\n~/.aws/config\nprofiles: region, endpoint_url, services, s3 addressing_style, "
         "credential_process\n.TP\n~/.aws/credentials\nthe shared credentials file\n";
  return out;
}

/// `sigv4 completion bash|zsh|fish`.
inline int cmd_completion(int argc, char** argv, const std::vector<documented_command>& cmds) {
  return run_command("sigv4 completion", [&] {
    const std::string_view shell = argc >= 2 ? std::string_view(argv[1]) : std::string_view();
    if (argc > 2) throw unknown_argument(argv[2]);
    if (shell == "--help" || shell == "-h") {
      fmt::print("usage: sigv4 completion bash|zsh|fish\n\nPrints a completion script for the shell, e.g.\n"
                 "  source <(sigv4 completion bash)\n");
      return exit_ok;
    }
    if (shell == "bash") write_stdout(bash_completion(cmds));
    else if (shell == "zsh") write_stdout(zsh_completion(cmds));
    else if (shell == "fish") write_stdout(fish_completion(cmds));
    else throw usage_error(fmt::format("completion takes bash, zsh or fish, got '{}'", shell));
    return exit_ok;
  });
}

}  // namespace sigv4_cli

#endif
