// sigv4 policy — writes an S3 policy that limits presigned URLs to networks:
//
//   sigv4 policy --kind iam|bucket|session --bucket B [--prefix P] [--action get|put|delete|list]...
//                --allow-cidr CIDR... [--max-signature-age SECONDS] [--require-tls]
//                [--client NAME=PREFIX:CIDR[,CIDR...]]...
#ifndef SIGV4_CLI_POLICY_HPP
#define SIGV4_CLI_POLICY_HPP

#include "common.hpp"

#include <sigv4/errors.hpp>
#include <sigv4/policy.hpp>

#include <fmt/core.h>

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sigv4_cli {

inline constexpr std::string_view policy_help = R"(usage: sigv4 policy --kind iam|bucket|session --bucket B [--prefix P]
                    [--action get|put|delete|list]... --allow-cidr CIDR...
                    [--max-signature-age SECONDS] [--require-tls]
                    [--client NAME=PREFIX:CIDR[,CIDR...]]...

Writes an S3 policy document (JSON, Version 2012-10-17) on stdout that lets
presigned URLs work only from the given networks (aws:SourceIp).

  --kind iam       the signing identity's policy: MinIO `mc admin policy create`,
                   AWS IAM. No Principal. On MinIO this is the policy that judges
                   presigned URLs (bucket policies there apply only to anonymous
                   requests; root credentials bypass every policy).
  --kind bucket    a bucket policy (AWS S3, Ceph RGW), Principal "*". Each Allow
                   comes with a Deny + NotIpAddress for the same actions and
                   resources: an Allow alone does not stop the bucket owner.
  --kind session   an AssumeRole session policy: compact, at most 2048 characters.
  --bucket B       the bucket.
  --prefix P       the key prefix the --allow-cidr networks may use (default: the
                   whole bucket).
  --action A       get (s3:GetObject), put (s3:PutObject), delete (s3:DeleteObject)
                   or list (s3:ListBucket on the bucket, with s3:prefix for the
                   prefix). Repeatable; default get.
  --allow-cidr C   an allowed network, e.g. 203.0.113.0/24 or 2001:db8::/32 (a bare
                   address is one host). Repeatable, or comma-separated.
  --max-signature-age SECONDS
                   URLs stop working this long after they were signed
                   (s3:signatureAge, written in milliseconds).
  --require-tls    only over HTTPS (aws:SecureTransport).
  --client NAME=PREFIX:CIDR[,CIDR...]
                   a client whose PREFIX is usable only from its CIDRs; its own
                   statements. PREFIX may be empty and cannot hold ':'. Repeatable.
  --output FORMAT  text or json: the policy document (JSON) either way.
  --help           print this help.

At least one CIDR is needed, from --allow-cidr or --client. Every block is
written with its prefix length (/128 for one IPv6 host: without it, AWS and MinIO
read /32).

The source address the storage checks may come from X-Forwarded-For (MinIO
reads its first entry, then X-Real-IP, then Forwarded): a proxy in front must
overwrite those headers, or clients can claim any address.

Exit status: 0 on success, 1 when a CIDR block is invalid or the policy cannot
be written (e.g. a session policy over 2048 characters), 2 for usage errors.
)";

/// The command line of `sigv4 policy`.
struct policy_args {
  bool help = false;
  std::optional<sigv4::policy::policy_kind> kind;
  std::optional<std::string> bucket;
  std::optional<std::string> prefix;
  std::vector<sigv4::policy::s3_access> actions;
  std::vector<std::string> allow_cidrs;
  std::optional<long long> max_signature_age_seconds;
  bool require_tls = false;
  std::optional<std::string> output;  // --output text|json: the policy is JSON either way
  std::vector<std::string> clients;  // NAME=PREFIX:CIDR[,CIDR...], as given
};

inline sigv4::policy::policy_kind parse_kind(std::string_view text) {
  if (text == "iam") return sigv4::policy::policy_kind::iam;
  if (text == "bucket") return sigv4::policy::policy_kind::bucket;
  if (text == "session") return sigv4::policy::policy_kind::session;
  throw usage_error(fmt::format("--kind takes iam, bucket or session, got '{}'", text));
}

inline sigv4::policy::s3_access parse_action(std::string_view text) {
  if (text == "get") return sigv4::policy::s3_access::get;
  if (text == "put") return sigv4::policy::s3_access::put;
  if (text == "delete") return sigv4::policy::s3_access::delete_;
  if (text == "list") return sigv4::policy::s3_access::list;
  throw usage_error(fmt::format("--action takes get, put, delete or list, got '{}'", text));
}

/// A whole positive number of seconds, at most about a hundred years.
inline long long parse_seconds(std::string_view text) {
  long long value = 0;
  if (parse_whole_number(text, value) != number_text::number || value <= 0 || value > 100LL * 365 * 86400)
    throw usage_error(fmt::format("--max-signature-age takes a positive number of seconds, got '{}'", text));
  return value;
}

/// Sets a flag that may be given once.
inline void set_once(std::optional<std::string>& slot, arg_reader& r) {
  if (slot) throw usage_error(fmt::format("option {} is given twice", r.flag()));
  slot = r.value();
}

/// Reads the flags of `policy`. Unlike the other commands it reads on after --help, so a
/// bad flag anywhere is still reported.
/// @throws usage_error on an unknown, repeated or bad flag, or a missing value.
inline policy_args read_policy_flags(int argc, char** argv) {
  policy_args a;
  arg_reader r(argc, argv);
  while (r.next()) {
    const std::string_view f = r.flag();
    if (f == "--help" || f == "-h") {
      r.expect_no_value();
      a.help = true;
    } else if (f == "--kind") {
      if (a.kind) throw usage_error("option --kind is given twice");
      a.kind = parse_kind(r.value());
    } else if (f == "--bucket") {
      set_once(a.bucket, r);
    } else if (f == "--output") {
      set_once(a.output, r);
      parse_output(a.output);
    } else if (f == "--prefix") {
      set_once(a.prefix, r);
    } else if (f == "--action") {
      a.actions.push_back(parse_action(r.value()));
    } else if (f == "--allow-cidr") {
      a.allow_cidrs.push_back(r.value());
    } else if (f == "--max-signature-age") {
      if (a.max_signature_age_seconds) throw usage_error("option --max-signature-age is given twice");
      a.max_signature_age_seconds = parse_seconds(r.value());
    } else if (f == "--require-tls") {
      r.expect_no_value();
      a.require_tls = true;
    } else if (f == "--client") {
      a.clients.push_back(r.value());
    } else {
      throw unknown_argument(f);
    }
  }
  return a;
}

/// Splits "a,b,c"; an empty item is a usage error naming `what`.
inline std::vector<std::string> split_list(std::string_view text, std::string_view what) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = text.find(',', start);
    const std::string_view item = text.substr(start, comma == std::string_view::npos ? comma : comma - start);
    if (item.empty()) throw usage_error(fmt::format("{} has an empty CIDR in '{}'", what, text));
    out.emplace_back(item);
    if (comma == std::string_view::npos) return out;
    start = comma + 1;
  }
}

/// Parses CIDR blocks strictly.
/// @throws sigv4::error errc::invalid_ip_address (exit 1).
inline std::vector<sigv4::policy::cidr_block> parse_blocks(const std::vector<std::string>& texts) {
  std::vector<sigv4::policy::cidr_block> out;
  for (const std::string& t : texts) out.push_back(sigv4::policy::parse_cidr(t));
  return out;
}

/// "NAME=PREFIX:CIDR[,CIDR...]": the name up to the first '=', the prefix up to the next ':'.
inline sigv4::policy::client_rule parse_client(std::string_view text) {
  const std::size_t eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0)
    throw usage_error(fmt::format("--client takes NAME=PREFIX:CIDR[,CIDR...], got '{}'", text));
  const std::size_t colon = text.find(':', eq + 1);
  if (colon == std::string_view::npos)
    throw usage_error(fmt::format("--client '{}' has no ':' between the prefix and the CIDRs", text));
  sigv4::policy::client_rule c;
  c.name = std::string(text.substr(0, eq));
  c.prefix = std::string(text.substr(eq + 1, colon - eq - 1));
  c.networks = parse_blocks(split_list(text.substr(colon + 1), fmt::format("--client '{}'", c.name)));
  return c;
}

/// The allowlist the flags describe.
/// @throws usage_error for a missing or conflicting flag; sigv4::error for a bad CIDR.
inline sigv4::policy::allowlist allowlist_of(const policy_args& a) {
  if (!a.kind) throw usage_error("--kind is required");
  if (!a.bucket) throw usage_error("--bucket is required");
  if (a.allow_cidrs.empty() && a.clients.empty())
    throw usage_error("give at least one CIDR with --allow-cidr or --client");
  if (a.prefix && a.allow_cidrs.empty())
    throw usage_error("--prefix needs --allow-cidr (a client's prefix goes in --client)");
  sigv4::policy::allowlist list;
  list.bucket = *a.bucket;
  if (!a.actions.empty()) list.actions = a.actions;
  list.prefix = a.prefix.value_or("");
  for (const std::string& value : a.allow_cidrs)
    for (const sigv4::policy::cidr_block& b : parse_blocks(split_list(value, "--allow-cidr"))) list.networks.push_back(b);
  for (const std::string& c : a.clients) list.clients.push_back(parse_client(c));
  if (a.max_signature_age_seconds) list.max_signature_age = std::chrono::seconds(*a.max_signature_age_seconds);
  list.require_tls = a.require_tls;
  return list;
}

/// `sigv4 policy`: prints the policy document the flags describe. Returns 0, 1 (library
/// error: a bad CIDR, a session policy over 2048 characters) or 2 (usage error).
inline int cmd_policy(int argc, char** argv) {
  return run_command("sigv4 policy", [&] {
    const policy_args args = read_policy_flags(argc, argv);
    if (print_help_if(args.help, policy_help)) return exit_ok;
    const sigv4::policy::allowlist list = allowlist_of(args);
    std::string json = sigv4::policy::policy_json(*args.kind, list);
    if (json.empty() || json.back() != '\n') json.push_back('\n');
    fmt::print("{}", json);
    return exit_ok;
  });
}

}  // namespace sigv4_cli

#endif
