// sigv4/aws_config.hpp: a profile of the AWS config file (region, endpoints, addressing style,
// credential_process, static keys), the split of a credential_process command line, and the
// JSON answer of a credential_process. The expectations are those of the AWS CLI's and
// botocore's documented behaviour:
//   https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-files.html
//   https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html
//   https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-sourcing-external.html
//   https://docs.python.org/3/library/shlex.html#parsing-rules (botocore's compat_shell_split)
#include "catch.hpp"

#include <sigv4/aws_config.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

using sigv4::errc;
using words = std::vector<std::string>;

bool has(const std::string& text, std::string_view word) { return text.find(word) != std::string::npos; }

template <class F>
std::string refusal(F&& f, errc want) {
  try {
    f();
  } catch (const sigv4::error& e) {
    CHECK(static_cast<errc>(e.code().value()) == want);
    return e.what();
  }
  FAIL_CHECK("no sigv4::error was thrown");
  return "<no error>";
}

constexpr std::string_view config = R"(# a comment
; another
[default]
region = us-west-2
output = json

[profile dev]
Region = eu-west-1
endpoint_url = http://127.0.0.1:9000
s3 =
  addressing_style = path
credential_process = /opt/bin/creds --profile dev

[profile rgw]
region = default
endpoint_url = http://ignored.example:1
services = local

[services local]
s3 =
  endpoint_url = http://127.0.0.1:7480
sts =
  endpoint_url = http://127.0.0.1:7481

[profile ignored]
endpoint_url = http://127.0.0.1:9000
ignore_configured_endpoint_urls = true

[profile broken]
services = nowhere

[staging]
region = ap-south-1

[profile Case]
region = sa-east-1
)";

}  // namespace

TEST_CASE("resolve_aws_profile: [default] and [profile NAME]", "[aws_config]") {
  const sigv4::aws_profile d = sigv4::resolve_aws_profile(config, "default");
  CHECK(d.found);
  CHECK(d.name == "default");
  CHECK(d.region == "us-west-2");
  CHECK(d.endpoint_url.empty());
  CHECK(d.credential_process.empty());
  const sigv4::aws_profile dev = sigv4::resolve_aws_profile(config, "dev");
  CHECK(dev.found);
  CHECK(dev.region == "eu-west-1");  // keys are case-insensitive
  CHECK(dev.endpoint_url == "http://127.0.0.1:9000");
  CHECK(dev.addressing_style == "path");
  CHECK(dev.credential_process == "/opt/bin/creds --profile dev");
  // [profile default] names the default profile too
  CHECK(sigv4::resolve_aws_profile("[profile default]\nregion = eu-north-1\n", "default").region == "eu-north-1");
}

TEST_CASE("resolve_aws_profile: a services section's s3 endpoint_url comes first", "[aws_config]") {
  const sigv4::aws_profile p = sigv4::resolve_aws_profile(config, "rgw");
  CHECK(p.region == "default");
  CHECK(p.endpoint_url == "http://127.0.0.1:7480");
  CHECK_FALSE(sigv4::resolve_aws_profile(config, "ignored").found == false);
  CHECK(sigv4::resolve_aws_profile(config, "ignored").endpoint_url.empty());
  const std::string what = refusal([] { sigv4::resolve_aws_profile(config, "broken"); }, errc::invalid_argument);
  CHECK(has(what, "'nowhere'"));
}

TEST_CASE("resolve_aws_profile: what is no profile of the config file", "[aws_config]") {
  // in the config file, [NAME] without the word profile is no profile (the credentials file's form)
  const sigv4::aws_profile s = sigv4::resolve_aws_profile(config, "staging");
  CHECK_FALSE(s.found);
  CHECK(s.region.empty());
  // section names are case-sensitive
  CHECK_FALSE(sigv4::resolve_aws_profile(config, "case").found);
  CHECK(sigv4::resolve_aws_profile(config, "Case").region == "sa-east-1");
  CHECK_FALSE(sigv4::resolve_aws_profile(config, "nosuch").found);
  // key lines before the first section belong to no profile
  CHECK(sigv4::resolve_aws_profile("region = us-east-2\n[default]\noutput = json\n", "default").region.empty());
  // a UTF-8 byte order mark is skipped
  CHECK(sigv4::resolve_aws_profile("\xEF\xBB\xBF[default]\nregion = ca-central-1\n", "default").region == "ca-central-1");
}

TEST_CASE("credentials_from_aws_config: a profile's static keys", "[aws_config]") {
  constexpr std::string_view text = R"([default]
aws_access_key_id = AKIDDEFAULTEXAMPLE
aws_secret_access_key = default/secret+EXAMPLEKEY

[profile temp]
AWS_ACCESS_KEY_ID = AKIDTEMPEXAMPLE
aws_secret_access_key = temp/secret+EXAMPLEKEY
aws_session_token = the-token

[profile legacy]
aws_security_token = legacy-token
aws_access_key_id = AKIDLEGACYEXAMPLE
aws_secret_access_key = legacy/secret+EXAMPLEKEY
aws_session_token = new-token

[profile nested]
s3 =
  aws_access_key_id = AKIDNESTEDEXAMPLE
  aws_secret_access_key = nested/secret

[profile nokeys]
region = us-east-1

[profile secretonly]
aws_secret_access_key = lonely/secret

[profile partial]
aws_access_key_id = AKIDPARTIALEXAMPLE

[profile emptyid]
aws_access_key_id =
aws_secret_access_key = empty/secret
)";
  const auto d = sigv4::credentials_from_aws_config(text, "default");
  REQUIRE(d);
  CHECK(d->access_key_id() == "AKIDDEFAULTEXAMPLE");
  CHECK(d->secret_access_key() == "default/secret+EXAMPLEKEY");
  CHECK(d->session_token().empty());
  CHECK_FALSE(d->expiration());
  const auto t = sigv4::credentials_from_aws_config(text, "temp");
  REQUIRE(t);
  CHECK(t->access_key_id() == "AKIDTEMPEXAMPLE");
  CHECK(t->session_token() == "the-token");
  // botocore's ConfigProvider looks for aws_security_token first
  const auto l = sigv4::credentials_from_aws_config(text, "legacy");
  REQUIRE(l);
  CHECK(l->session_token() == "legacy-token");
  // keys of a nested block, a profile without keys, one with only a secret, one not there
  CHECK_FALSE(sigv4::credentials_from_aws_config(text, "nested"));
  CHECK_FALSE(sigv4::credentials_from_aws_config(text, "nokeys"));
  CHECK_FALSE(sigv4::credentials_from_aws_config(text, "secretonly"));
  CHECK_FALSE(sigv4::credentials_from_aws_config(text, "nosuch"));
  // a key id without its secret: botocore's PartialCredentialsError
  const std::string what =
      refusal([&] { sigv4::credentials_from_aws_config(text, "partial"); }, errc::credentials_not_found);
  CHECK(has(what, "aws_secret_access_key"));
  CHECK(has(what, "'partial'"));
  const std::string empty =
      refusal([&] { sigv4::credentials_from_aws_config(text, "emptyid"); }, errc::invalid_credentials);
  CHECK_FALSE(has(empty, "empty/secret"));
}

TEST_CASE("split_credential_process: shlex's POSIX rules", "[aws_config]") {
  using sigv4::split_credential_process;
  CHECK(split_credential_process("/opt/bin/creds --profile dev") == words{"/opt/bin/creds", "--profile", "dev"});
  CHECK(split_credential_process("  a \t b\r\nc  ") == words{"a", "b", "c"});
  CHECK(split_credential_process("'/path with/space' 'one arg'") == words{"/path with/space", "one arg"});
  CHECK(split_credential_process("\"a b\" c") == words{"a b", "c"});
  CHECK(split_credential_process("a\\ b") == words{"a b"});
  // in double quotes only \" and \\ are escapes; in single quotes nothing is
  CHECK(split_credential_process("\"say \\\"hi\\\"\"") == words{"say \"hi\""});
  CHECK(split_credential_process("\"a\\\\b\"") == words{"a\\b"});
  CHECK(split_credential_process("\"a\\$b\\n\"") == words{"a\\$b\\n"});
  CHECK(split_credential_process("'a\\b' 'x\"y'") == words{"a\\b", "x\"y"});
  CHECK(split_credential_process("'it'\\''s'") == words{"it's"});
  // pieces next to each other make one word; '' is an empty word
  CHECK(split_credential_process("a'b c'\"d\"e") == words{"ab cde"});
  CHECK(split_credential_process("p '' \"\"") == words{"p", "", ""});
  // nothing else is special
  CHECK(split_credential_process("p $HOME ~ * ; | # `x` $(y) a=b") ==
        words{"p", "$HOME", "~", "*", ";", "|", "#", "`x`", "$(y)", "a=b"});
  CHECK(split_credential_process("p caf\xC3\xA9") == words{"p", "caf\xC3\xA9"});
}

TEST_CASE("split_credential_process: strict, and never quotes the command", "[aws_config]") {
  using sigv4::split_credential_process;
  const std::string secret = "hunter2-secret-arg";
  const struct {
    std::string command;
    const char* word;
  } bad[] = {
      {"p --token '" + secret, "unterminated single quote"},
      {"p --token \"" + secret, "unterminated double quote"},
      {"p " + secret + "\\", "backslash"},
      {"p \"" + secret + "\\", "backslash"},
      {"", "empty"},
      {" \t ", "empty"},
      {std::string("p a\0b", 5), "NUL"},
      {std::string("p \\\0", 4), "NUL"},
  };
  for (const auto& b : bad) {
    INFO(b.command);
    const std::string what = refusal([&] { split_credential_process(b.command); }, errc::invalid_argument);
    CHECK(has(what, b.word));
    CHECK_FALSE(has(what, secret));
  }
}

TEST_CASE("credentials_from_process_output: the JSON version 1 answer", "[aws_config]") {
  const sigv4::time_point now = sigv4::parse_amz_date("20260101T000000Z");
  const auto c = sigv4::credentials_from_process_output(
      R"({"Version": 1, "AccessKeyId": "AKIDPROCESSEXAMPLE", "SecretAccessKey": "process/secret+KEY",
          "SessionToken": "tok", "Expiration": "2026-01-01T01:00:00Z"})",
      now);
  CHECK(c.access_key_id() == "AKIDPROCESSEXAMPLE");
  CHECK(c.secret_access_key() == "process/secret+KEY");
  CHECK(c.session_token() == "tok");
  REQUIRE(c.expiration());
  CHECK(*c.expiration() == sigv4::parse_amz_date("20260101T010000Z"));
  // long-term credentials: no token, no expiry
  const auto s = sigv4::credentials_from_process_output(
      R"({"Version":1,"AccessKeyId":"AKIDPROCESSEXAMPLE","SecretAccessKey":"process/secret+KEY"})", now);
  CHECK(s.session_token().empty());
  CHECK_FALSE(s.expiration());
}

TEST_CASE("credentials_from_process_output: bad answers, never quoted", "[aws_config]") {
  const sigv4::time_point now = sigv4::parse_amz_date("20260101T000000Z");
  const std::string secret = "process/secret+KEY-never-shown";
  const struct {
    std::string answer;
    errc code;
    const char* word;
  } bad[] = {
      {"not JSON " + secret, errc::credentials_not_found, "not JSON"},
      {"", errc::credentials_not_found, "not JSON"},
      {"[1, \"" + secret + "\"]", errc::credentials_not_found, "not a JSON object"},
      {R"({"Version": 2, "AccessKeyId": "A", "SecretAccessKey": ")" + secret + "\"}", errc::credentials_not_found,
       "Version"},
      {R"({"Version": "1", "AccessKeyId": "A", "SecretAccessKey": ")" + secret + "\"}", errc::credentials_not_found,
       "Version"},
      {R"({"AccessKeyId": "A", "SecretAccessKey": ")" + secret + "\"}", errc::credentials_not_found, "Version"},
      {R"({"Version": 1, "SecretAccessKey": ")" + secret + "\"}", errc::credentials_not_found, "AccessKeyId"},
      {R"({"Version": 1, "AccessKeyId": "A"})", errc::credentials_not_found, "SecretAccessKey"},
      {R"({"Version": 1, "AccessKeyId": "A", "SecretAccessKey": 5})", errc::credentials_not_found, "SecretAccessKey"},
      {R"({"Version": 1, "AccessKeyId": "A", "SecretAccessKey": ")" + secret + R"(", "Expiration": "soon"})",
       errc::credentials_not_found, "Expiration"},
      {R"({"Version": 1, "AccessKeyId": "A", "SecretAccessKey": ")" + secret +
           R"(", "Expiration": "2025-12-31T23:59:59Z"})",
       errc::credentials_expired, "expired"},
  };
  for (const auto& b : bad) {
    INFO(b.answer);
    const std::string what = refusal([&] { sigv4::credentials_from_process_output(b.answer, now); }, b.code);
    CHECK(has(what, b.word));
    CHECK_FALSE(has(what, secret));
  }
}
