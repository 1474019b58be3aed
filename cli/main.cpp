// sigv4 — a command-line AWS Signature Version 4 signer built on the sigv4 library.
//
//   sigv4 sign --service S --region R [options] < request.txt
//
// reads a raw HTTP/1.1 request on stdin and writes it back signed, either with an
// Authorization header or presigned in its query string.
//
//   sigv4 presign [options] s3://BUCKET/KEY      (or --batch, one per line on stdin)
//   sigv4 verify [options] URL
//
// print a presigned S3 object URL, and check one against the local credentials.
//
//   sigv4 policy --kind iam|bucket|session --bucket B --allow-cidr CIDR... [options]
//
// writes an S3 policy document that limits presigned URLs to networks. Run `sigv4 --help`
// for the commands and `sigv4 <command> --help` for their options.
//
// Each command lives in its own header beside this file; common.hpp holds what they share.
// This file holds only the command table, the top-level help and main.

#include "common.hpp"
#include "completion.hpp"
#include "multipart.hpp"
#include "policy.hpp"
#include "presign.hpp"
#include "presign_post.hpp"
#include "sign.hpp"
#include "verify.hpp"

#include <sigv4/sigv4.hpp>

#include <fmt/core.h>

#include <cstdio>
#include <exception>
#include <string_view>
#include <vector>

namespace {

using namespace sigv4_cli;

struct command {
  std::string_view name;
  int (*run)(int argc, char** argv);  // argv[0] is the command's name
  std::string_view summary;
  std::string_view help;  // its --help, for completion and the manual
};

constexpr command commands[] = {
    {"sign", cmd_sign, "sign an HTTP request read on stdin (Authorization header or presigned query)", sign_help},
    {"presign", cmd_presign, "print a presigned S3 object or bucket URL (s3://BUCKET/KEY, s3://BUCKET), or one per line with --batch", presign_help},
    {"multipart", cmd_multipart, "print the presigned URLs of a multipart upload (create, part, complete, abort)", multipart_help},
    {"verify", cmd_verify, "check a presigned S3 URL against the local credentials", verify_help},
    {"policy", cmd_policy, "print an S3 policy (JSON) that lets presigned URLs work only from given networks", policy_help},
    {"presign-post", cmd_presign_post, "print a signed S3 POST form for browser uploads (json, curl or html)", presign_post_help},
    {"verify-post", cmd_verify_post, "check a received S3 POST form (JSON on stdin) against the local credentials", verify_post_help},
};

const command* find_command(std::string_view name) {
  for (const command& c : commands)
    if (c.name == name) return &c;
  return nullptr;
}

void print_main_help() {
  fmt::print("usage: sigv4 <command> [options]\n\nAWS Signature Version 4 signing from the command line.\n\ncommands:\n");
  for (const command& c : commands) fmt::print("  {:<14}{}\n", c.name, c.summary);
  fmt::print("  {:<14}{}\n", "completion", "print a shell completion script: bash, zsh or fish");
  fmt::print("\n  sigv4 <command> --help   options of a command\n");
  fmt::print("  sigv4 --version          print the version\n");
  fmt::print("  sigv4 --help             print this help\n");
}

/// `sigv4 help [command]`.
int cmd_help(int argc, char** argv) {
  if (argc < 2) {
    print_main_help();
    return exit_ok;
  }
  const command* c = find_command(argv[1]);
  if (c == nullptr) {
    report_usage_error(fmt::format("unknown command '{}'", argv[1]), "sigv4");
    return exit_usage;
  }
  char help_flag[] = "--help";
  char* help_argv[] = {argv[1], help_flag, nullptr};
  return c->run(2, help_argv);
}

std::vector<documented_command> documented_commands() {
  std::vector<documented_command> out;
  for (const command& c : commands) out.push_back({c.name, c.summary, c.help});
  return out;
}

int run_main(int argc, char** argv) {
  if (argc < 2) {
    report_usage_error("no command given", "sigv4");
    return exit_usage;
  }
  const std::string_view first = argv[1];
  if (first == "help" || first == "--help" || first == "-h") return cmd_help(argc - 1, argv + 1);
  if (first == "--version") {
    fmt::print("sigv4 {}\n", sigv4::version_string);
    return exit_ok;
  }
  if (const command* c = find_command(first)) return c->run(argc - 1, argv + 1);
  if (first == "completion") return cmd_completion(argc - 1, argv + 1, documented_commands());
  if (first == "man") {  // the sigv4(1) page, for the build (not listed in the help)
    write_stdout(man_page(documented_commands()));
    return exit_ok;
  }
  report_usage_error(fmt::format("unknown command '{}'", first), "sigv4");
  return exit_usage;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const int status = run_main(argc, argv);
    if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
      report_error("cannot write to stdout");
      return exit_failure;
    }
    return status;
  } catch (const std::exception& e) {
    report_error(e.what());
    return exit_failure;
  }
}
