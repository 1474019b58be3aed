// Credential providers: the environment chain (AWS, then MinIO's two pairs), *_FILE secrets,
// the shared credentials file, the default chain, ISO-8601 expiry, printing and secret_string.
// Every case runs against a fake environment; files live in a temporary folder.
#include "catch.hpp"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include <sigv4/credential_provider.hpp>
#include <sigv4/credentials.hpp>

#if !defined(_WIN32)
#include <sys/wait.h>
#include <unistd.h>
#endif

namespace {

namespace fs = std::filesystem;
using env_map = std::map<std::string, std::string>;

// Values that must never show up in a message or in to_string.
const char* const aws_secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const char* const aws_token = "FwoGZXIvYXdzEXAMPLE//////////wEaDEXAMPLETOKENxyz";
const char* const root_password = "minio-root-password-0c2f";
const char* const legacy_secret = "minio-legacy-secret-9e41";
const char* const file_secret = "file-secret-value-77ab";
const char* const ini_secret = "ini-secret-value-51d0";
const char* const ini_dev_secret = "ini-dev-secret-value-a3c9";
const char* const ini_token = "ini-session-token-value-4be7";
const std::vector<std::string> all_secrets = {aws_secret, aws_token,  root_password, legacy_secret,
                                              file_secret, ini_secret, ini_dev_secret, ini_token};

sigv4::env_lookup fake(env_map vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    const auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

// A fresh folder under the system's temporary directory, removed with everything in it.
class temp_dir {
 public:
  temp_dir() {
    std::random_device rd;
    const auto tag = std::to_string(rd()) + "-" +
                     std::to_string(std::chrono::steady_clock::now().time_since_epoch().count());
    path_ = fs::temp_directory_path() / ("sigv4-test-credentials-" + tag);
    fs::create_directories(path_);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  ~temp_dir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }

  // Writes `content` byte for byte to `name` in the folder; returns the full path.
  std::string write(const std::string& name, const std::string& content) const {
    const fs::path p = path_ / name;
    fs::create_directories(p.parent_path());
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out << content;
    out.close();
    REQUIRE(out.good());
    return p.string();
  }
  std::string path(const std::string& name = {}) const { return name.empty() ? path_.string() : (path_ / name).string(); }

 private:
  fs::path path_;
};

// Runs f, which must throw sigv4::error with `code` and a message holding every needle and none
// of the secrets used in these tests. Returns the message.
std::string expect_error(const std::function<void()>& f, sigv4::errc code, const std::vector<std::string>& needles) {
  try {
    f();
  } catch (const sigv4::error& e) {
    const std::string what = e.what();
    INFO(what);
    CHECK(e.code() == sigv4::make_error_code(code));
    for (const auto& n : needles) {
      INFO("needle: " << n);
      CHECK(what.find(n) != std::string::npos);
    }
    for (const auto& s : all_secrets) {
      INFO("secret: " << s);
      CHECK(what.find(s) == std::string::npos);
    }
    return what;
  }
  FAIL("no error thrown; expected " << sigv4::make_error_code(code).message());
  return {};
}

std::int64_t epoch_seconds(sigv4::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

// `date -u -d 2026-11-22T15:04:05Z +%s`
constexpr std::int64_t nov_22_2026_150405 = 1795359845;
// `date -u -d 2024-02-29T23:59:59Z +%s`
constexpr std::int64_t feb_29_2024_235959 = 1709251199;
// `date -u -d 2000-01-01T00:00:00Z +%s`
constexpr std::int64_t jan_1_2000 = 946684800;

}  // namespace

TEST_CASE("environment: the AWS pair, with and without a session token", "[credentials][env]") {
  SECTION("id and secret") {
    const auto c = sigv4::credentials_from_env(
        fake({{"AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"}, {"AWS_SECRET_ACCESS_KEY", aws_secret}}));
    CHECK(c.access_key_id() == "AKIDEXAMPLE");
    CHECK(c.secret_access_key() == aws_secret);
    CHECK_FALSE(c.has_session_token());
    CHECK_FALSE(c.expiration().has_value());
  }
  SECTION("with AWS_SESSION_TOKEN") {
    const auto c = sigv4::credentials_from_env(fake(
        {{"AWS_ACCESS_KEY_ID", "ASIAEXAMPLE"}, {"AWS_SECRET_ACCESS_KEY", aws_secret}, {"AWS_SESSION_TOKEN", aws_token}}));
    CHECK(c.access_key_id() == "ASIAEXAMPLE");
    CHECK(c.session_token() == aws_token);
  }
  SECTION("an empty value counts as unset") {
    const auto c = sigv4::credentials_from_env(fake({{"AWS_ACCESS_KEY_ID", ""},
                                                     {"AWS_SECRET_ACCESS_KEY", aws_secret},
                                                     {"MINIO_ROOT_USER", "minioadmin"},
                                                     {"MINIO_ROOT_PASSWORD", root_password}}));
    CHECK(c.access_key_id() == "minioadmin");
  }
}

TEST_CASE("environment: MinIO pairs and the order of the three", "[credentials][env]") {
  const env_map aws = {{"AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"}, {"AWS_SECRET_ACCESS_KEY", aws_secret}};
  const env_map root = {{"MINIO_ROOT_USER", "minioadmin"}, {"MINIO_ROOT_PASSWORD", root_password}};
  const env_map legacy = {{"MINIO_ACCESS_KEY", "legacyuser"}, {"MINIO_SECRET_KEY", legacy_secret}};
  const auto merge = [](std::initializer_list<env_map> parts) {
    env_map m;
    for (const auto& p : parts) m.insert(p.begin(), p.end());
    return m;
  };

  SECTION("MINIO_ROOT_USER / MINIO_ROOT_PASSWORD") {
    const auto c = sigv4::credentials_from_env(fake(root));
    CHECK(c.access_key_id() == "minioadmin");
    CHECK(c.secret_access_key() == root_password);
  }
  SECTION("MINIO_ACCESS_KEY / MINIO_SECRET_KEY") {
    const auto c = sigv4::credentials_from_env(fake(legacy));
    CHECK(c.access_key_id() == "legacyuser");
    CHECK(c.secret_access_key() == legacy_secret);
  }
  SECTION("AWS beats both MinIO pairs") {
    CHECK(sigv4::credentials_from_env(fake(merge({aws, root, legacy}))).access_key_id() == "AKIDEXAMPLE");
    CHECK(sigv4::credentials_from_env(fake(merge({aws, legacy}))).access_key_id() == "AKIDEXAMPLE");
  }
  SECTION("MINIO_ROOT_* beats MINIO_ACCESS_KEY / MINIO_SECRET_KEY") {
    CHECK(sigv4::credentials_from_env(fake(merge({root, legacy}))).access_key_id() == "minioadmin");
  }
  SECTION("a secret without its id does not stop the search") {
    const auto c = sigv4::credentials_from_env(fake(merge({root, {{"AWS_SECRET_ACCESS_KEY", aws_secret}}})));
    CHECK(c.access_key_id() == "minioadmin");
  }
  SECTION("AWS_SESSION_TOKEN and AWS_CREDENTIAL_EXPIRATION belong to the AWS pair only") {
    const auto c = sigv4::credentials_from_env(
        fake(merge({root, {{"AWS_SESSION_TOKEN", aws_token}, {"AWS_CREDENTIAL_EXPIRATION", "not a date"}}})));
    CHECK(c.access_key_id() == "minioadmin");
    CHECK_FALSE(c.has_session_token());
    CHECK_FALSE(c.expiration().has_value());
  }
}

TEST_CASE("environment: *_FILE variables name files holding the values", "[credentials][env][file]") {
  temp_dir dir;
  SECTION("id and secret from files, trailing LF stripped") {
    const auto id = dir.write("id", "AKIDFROMFILE\n");
    const auto secret = dir.write("secret", std::string(file_secret) + "\n");
    const auto c = sigv4::credentials_from_env(
        fake({{"AWS_ACCESS_KEY_ID_FILE", id}, {"AWS_SECRET_ACCESS_KEY_FILE", secret}}));
    CHECK(c.access_key_id() == "AKIDFROMFILE");
    CHECK(c.secret_access_key() == file_secret);
  }
  SECTION("CRLF and surrounding whitespace stripped; no newline at all works too") {
    const auto id = dir.write("id", "  AKIDCRLF\r\n");
    const auto secret = dir.write("secret", std::string("\t") + file_secret + " \r\n");
    const auto token = dir.write("token", aws_token);
    const auto c = sigv4::credentials_from_env(fake(
        {{"AWS_ACCESS_KEY_ID_FILE", id}, {"AWS_SECRET_ACCESS_KEY_FILE", secret}, {"AWS_SESSION_TOKEN_FILE", token}}));
    CHECK(c.access_key_id() == "AKIDCRLF");
    CHECK(c.secret_access_key() == file_secret);
    CHECK(c.session_token() == aws_token);
  }
  SECTION("a mix: id from the environment, secret from a file (MinIO, as Kubernetes mounts it)") {
    const auto secret = dir.write("run/secrets/minio_root_password", std::string(root_password) + "\n");
    const auto c = sigv4::credentials_from_env(
        fake({{"MINIO_ROOT_USER", "minioadmin"}, {"MINIO_ROOT_PASSWORD_FILE", secret}}));
    CHECK(c.access_key_id() == "minioadmin");
    CHECK(c.secret_access_key() == root_password);
  }
  SECTION("X wins over X_FILE") {
    const auto id = dir.write("id", "AKIDFROMFILE\n");
    const auto secret = dir.write("secret", std::string(file_secret) + "\n");
    const auto c = sigv4::credentials_from_env(fake({{"AWS_ACCESS_KEY_ID", "AKIDFROMENV"},
                                                     {"AWS_ACCESS_KEY_ID_FILE", id},
                                                     {"AWS_SECRET_ACCESS_KEY", aws_secret},
                                                     {"AWS_SECRET_ACCESS_KEY_FILE", secret}}));
    CHECK(c.access_key_id() == "AKIDFROMENV");
    CHECK(c.secret_access_key() == aws_secret);
  }
  SECTION("an X_FILE that X beats is not even read") {
    const auto c = sigv4::credentials_from_env(fake({{"AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"},
                                                     {"AWS_SECRET_ACCESS_KEY", aws_secret},
                                                     {"AWS_SECRET_ACCESS_KEY_FILE", dir.path("nope")}}));
    CHECK(c.secret_access_key() == aws_secret);
  }
}

TEST_CASE("environment: an unreadable or empty *_FILE is an error naming the variable and path",
          "[credentials][env][file][errors]") {
  temp_dir dir;
  const std::string missing = dir.path("does-not-exist");
  SECTION("missing file for the secret") {
    expect_error([&] {
      sigv4::credentials_from_env(fake({{"AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"}, {"AWS_SECRET_ACCESS_KEY_FILE", missing}}));
    },
                 sigv4::errc::credentials_not_found,
                 {"AWS_SECRET_ACCESS_KEY_FILE", missing, std::generic_category().message(ENOENT)});
  }
  SECTION("missing file for the id") {
    expect_error([&] { sigv4::credentials_from_env(fake({{"MINIO_ROOT_USER_FILE", missing}})); },
                 sigv4::errc::credentials_not_found, {"MINIO_ROOT_USER_FILE", missing});
  }
  SECTION("a directory") {
    expect_error([&] {
      sigv4::credentials_from_env(fake({{"AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"}, {"AWS_SECRET_ACCESS_KEY_FILE", dir.path()}}));
    },
                 sigv4::errc::credentials_not_found, {"AWS_SECRET_ACCESS_KEY_FILE", dir.path(), "cannot be read"});
  }
  SECTION("an empty (or blank) file") {
    const auto blank = dir.write("blank", " \r\n");
    expect_error([&] {
      sigv4::credentials_from_env(fake({{"AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"}, {"AWS_SECRET_ACCESS_KEY_FILE", blank}}));
    },
                 sigv4::errc::credentials_not_found, {"AWS_SECRET_ACCESS_KEY_FILE", blank, "empty"});
  }
}

TEST_CASE("environment: an id without its secret names the missing variable", "[credentials][env][errors]") {
  SECTION("AWS") {
    const auto what = expect_error(
        [] { sigv4::credentials_from_env(fake({{"AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"}, {"AWS_SESSION_TOKEN", aws_token}})); },
        sigv4::errc::credentials_not_found,
        {"AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY (or AWS_SECRET_ACCESS_KEY_FILE) is not"});
    CHECK(what.find("AKIDEXAMPLE") == std::string::npos);
  }
  SECTION("the first present id decides, even if a later pair is complete") {
    expect_error(
        [] {
          sigv4::credentials_from_env(
              fake({{"MINIO_ROOT_USER", "minioadmin"}, {"MINIO_ACCESS_KEY", "legacyuser"}, {"MINIO_SECRET_KEY", legacy_secret}}));
        },
        sigv4::errc::credentials_not_found, {"MINIO_ROOT_USER is set but MINIO_ROOT_PASSWORD (or MINIO_ROOT_PASSWORD_FILE) is not"});
  }
  SECTION("an id given as a file is named as such") {
    temp_dir dir;
    const auto id = dir.write("id", "legacyuser\n");
    expect_error([&] { sigv4::credentials_from_env(fake({{"MINIO_ACCESS_KEY_FILE", id}})); },
                 sigv4::errc::credentials_not_found,
                 {"MINIO_ACCESS_KEY_FILE is set but MINIO_SECRET_KEY (or MINIO_SECRET_KEY_FILE) is not"});
  }
}

TEST_CASE("environment: nothing set lists what was looked for", "[credentials][env][errors]") {
  expect_error([] { sigv4::credentials_from_env(fake({{"AWS_SECRET_ACCESS_KEY", aws_secret}, {"HOME", "/root"}})); },
               sigv4::errc::credentials_not_found,
               {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "MINIO_ROOT_USER", "MINIO_ROOT_PASSWORD",
                "MINIO_ACCESS_KEY", "MINIO_SECRET_KEY", "_FILE"});
}

TEST_CASE("environment: unusable values are refused naming their source, not their value", "[credentials][env][errors]") {
  const auto what = expect_error(
      [] { sigv4::credentials_from_env(fake({{"AWS_ACCESS_KEY_ID", "AKID WITH SPACE"}, {"AWS_SECRET_ACCESS_KEY", aws_secret}})); },
      sigv4::errc::invalid_credentials, {"access key id", "AWS_ACCESS_KEY_ID"});
  CHECK(what.find("WITH SPACE") == std::string::npos);
  expect_error(
      [] {
        sigv4::credentials_from_env(fake(
            {{"AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"}, {"AWS_SECRET_ACCESS_KEY", aws_secret}, {"AWS_SESSION_TOKEN", "a\x01" "b"}}));
      },
      sigv4::errc::invalid_credentials, {"session token", "AWS_SESSION_TOKEN"});
}

TEST_CASE("environment: AWS_CREDENTIAL_EXPIRATION", "[credentials][env][time]") {
  const env_map base = {{"AWS_ACCESS_KEY_ID", "ASIAEXAMPLE"}, {"AWS_SECRET_ACCESS_KEY", aws_secret}, {"AWS_SESSION_TOKEN", aws_token}};
  SECTION("parsed to the exact second") {
    env_map m = base;
    m["AWS_CREDENTIAL_EXPIRATION"] = "2026-11-22T15:04:05Z";
    const auto c = sigv4::credentials_from_env(fake(m));
    REQUIRE(c.expiration().has_value());
    CHECK(epoch_seconds(*c.expiration()) == nov_22_2026_150405);
  }
  SECTION("malformed is invalid_date naming the variable") {
    env_map m = base;
    m["AWS_CREDENTIAL_EXPIRATION"] = "2026-11-22 15:04:05";
    expect_error([&] { sigv4::credentials_from_env(fake(m)); }, sigv4::errc::invalid_date, {"AWS_CREDENTIAL_EXPIRATION"});
  }
}

TEST_CASE("parse_iso8601 is strict", "[credentials][time]") {
  using sigv4::parse_iso8601;
  CHECK(epoch_seconds(parse_iso8601("2026-11-22T15:04:05Z")) == nov_22_2026_150405);
  CHECK(epoch_seconds(parse_iso8601("2026-11-22T15:04:05+00:00")) == nov_22_2026_150405);
  CHECK(epoch_seconds(parse_iso8601("2024-02-29T23:59:59Z")) == feb_29_2024_235959);
  CHECK(epoch_seconds(parse_iso8601("2000-01-01T00:00:00Z")) == jan_1_2000);
  CHECK(epoch_seconds(parse_iso8601("1970-01-01T00:00:00Z")) == 0);

  const auto frac = parse_iso8601("2026-11-22T15:04:05.250Z");
  CHECK(frac - parse_iso8601("2026-11-22T15:04:05Z") == std::chrono::milliseconds(250));
  const auto long_frac = parse_iso8601("2026-11-22T15:04:05.123456789123+00:00");
  CHECK(std::chrono::duration_cast<std::chrono::microseconds>(long_frac - parse_iso8601("2026-11-22T15:04:05Z")) ==
        std::chrono::microseconds(123456));
  // The round trip through the X-Amz-Date format.
  CHECK(sigv4::format_amz_date(parse_iso8601("2026-11-22T15:04:05.999Z")).str() == "20261122T150405Z");

  for (const char* bad : {"", "2026-11-22", "2026-11-22T15:04:05", "2026-11-22T15:04:05z", "2026-11-22t15:04:05Z",
                          "2026-11-22 15:04:05Z", "2026-11-22T15:04:05.Z", "2026-11-22T15:04:05-05:00",
                          "2026-11-22T15:04:05+01:00", "2026-11-22T15:04:05Zjunk", "2026-13-01T00:00:00Z",
                          "2026-00-01T00:00:00Z", "2025-02-29T00:00:00Z", "2026-04-31T00:00:00Z",
                          "2026-11-22T24:00:00Z", "2026-11-22T15:60:00Z", "2026-11-22T15:04:60Z",
                          "20261122T150405Z", "2026-1-22T15:04:05Z", "+2026-11-22T15:04:05Z"}) {
    INFO(bad);
    std::error_code ec;
    parse_iso8601(bad, ec);
    CHECK(ec == sigv4::make_error_code(sigv4::errc::invalid_date));
    CHECK_THROWS_AS(parse_iso8601(bad), sigv4::error);
  }
  // A real date the clock cannot hold (libstdc++'s nanosecond system_clock ends in 2262).
  if (std::chrono::duration_cast<std::chrono::seconds>(sigv4::time_point::max().time_since_epoch()).count() <
      253402300799)  // `date -u -d 9999-12-31T23:59:59Z +%s`
    CHECK_THROWS_AS(parse_iso8601("9999-12-31T23:59:59Z"), sigv4::error);

  std::error_code ec = sigv4::errc::invalid_date;
  CHECK(epoch_seconds(parse_iso8601("2026-11-22T15:04:05Z", ec)) == nov_22_2026_150405);
  CHECK_FALSE(ec);
}

TEST_CASE("shared credentials file", "[credentials][shared]") {
  temp_dir dir;
  const std::string ini = std::string(
                              "# written by aws configure\n"
                              "[default]\n"
                              "aws_access_key_id = AKIDDEFAULT\n"
                              "aws_secret_access_key = ") +
                          ini_secret +
                          "\n"
                          "\n"
                          "; a comment in the other style\n"
                          "  [ dev ]  \r\n"
                          "\tAWS_Access_Key_ID=AKIDDEV\t\r\n"
                          "   # indented comment\r\n"
                          "aws_secret_access_key:" +
                          ini_dev_secret +
                          "  \r\n"
                          "aws_session_token = " +
                          ini_token +
                          "\r\n"
                          "region = eu-west-1\n"
                          "[legacy]\n"
                          "aws_access_key_id = AKIDLEGACY\n"
                          "aws_secret_access_key = " +
                          ini_secret +
                          "\n"
                          "aws_security_token = " +
                          ini_token +
                          "\n"
                          "[no-secret]\n"
                          "aws_access_key_id = AKIDNOSECRET\n"
                          "aws_secret_access_key =\n"
                          "[no-id]\n"
                          "aws_secret_access_key = " +
                          ini_secret + "\n";
  const auto home_file = dir.write("home/.aws/credentials", ini);
  const auto other_file = dir.write("elsewhere/creds.ini", ini);
  const env_map home = {{"HOME", dir.path("home")}};

  SECTION("the default profile of $HOME/.aws/credentials") {
    const auto c = sigv4::credentials_from_shared_file({}, {}, fake(home));
    CHECK(c.access_key_id() == "AKIDDEFAULT");
    CHECK(c.secret_access_key() == ini_secret);
    CHECK_FALSE(c.has_session_token());
  }
  SECTION("a named profile, given; whitespace, CRLF, key case, ':' and comments") {
    const auto c = sigv4::credentials_from_shared_file("dev", {}, fake(home));
    CHECK(c.access_key_id() == "AKIDDEV");
    CHECK(c.secret_access_key() == ini_dev_secret);
    CHECK(c.session_token() == ini_token);
  }
  SECTION("a named profile from AWS_PROFILE; the argument beats it") {
    env_map m = home;
    m["AWS_PROFILE"] = "dev";
    CHECK(sigv4::credentials_from_shared_file({}, {}, fake(m)).access_key_id() == "AKIDDEV");
    CHECK(sigv4::credentials_from_shared_file("default", {}, fake(m)).access_key_id() == "AKIDDEFAULT");
  }
  SECTION("the legacy aws_security_token") {
    CHECK(sigv4::credentials_from_shared_file("legacy", {}, fake(home)).session_token() == ini_token);
  }
  SECTION("AWS_SHARED_CREDENTIALS_FILE; a path argument beats it") {
    const auto moved = dir.write("moved", "[default]\naws_access_key_id=AKIDMOVED\naws_secret_access_key=" +
                                              std::string(ini_secret) + "\n");
    CHECK(sigv4::credentials_from_shared_file({}, {}, fake({{"AWS_SHARED_CREDENTIALS_FILE", moved}})).access_key_id() ==
          "AKIDMOVED");
    CHECK(sigv4::credentials_from_shared_file({}, other_file, fake({{"AWS_SHARED_CREDENTIALS_FILE", moved}}))
              .access_key_id() == "AKIDDEFAULT");
  }
  SECTION("a leading ~/ is expanded with HOME") {
    env_map m = home;
    m["AWS_SHARED_CREDENTIALS_FILE"] = "~/.aws/credentials";
    CHECK(sigv4::credentials_from_shared_file("dev", {}, fake(m)).access_key_id() == "AKIDDEV");
  }
  SECTION("a missing profile names the profile and the path") {
    expect_error([&] { sigv4::credentials_from_shared_file("prod", {}, fake(home)); },
                 sigv4::errc::credentials_not_found, {"'prod'", home_file});
    env_map m = home;
    m["AWS_PROFILE"] = "staging";
    expect_error([&] { sigv4::credentials_from_shared_file({}, {}, fake(m)); }, sigv4::errc::credentials_not_found,
                 {"'staging'", home_file});
  }
  SECTION("a missing key names the key, the profile and the path") {
    expect_error([&] { sigv4::credentials_from_shared_file("no-secret", other_file, fake({})); },
                 sigv4::errc::credentials_not_found, {"aws_secret_access_key", "'no-secret'", other_file});
    expect_error([&] { sigv4::credentials_from_shared_file("no-id", other_file, fake({})); },
                 sigv4::errc::credentials_not_found, {"aws_access_key_id", "'no-id'", other_file});
  }
  SECTION("a missing file names the path and the reason") {
    const auto missing = dir.path("nowhere/credentials");
    expect_error([&] { sigv4::credentials_from_shared_file({}, missing, fake(home)); },
                 sigv4::errc::credentials_not_found, {missing, std::generic_category().message(ENOENT)});
    expect_error([&] { sigv4::credentials_from_shared_file({}, {}, fake({{"HOME", dir.path("nohome")}})); },
                 sigv4::errc::credentials_not_found, {dir.path("nohome")});
  }
  SECTION("no HOME and no AWS_SHARED_CREDENTIALS_FILE") {
    expect_error([] { sigv4::credentials_from_shared_file({}, {}, fake({})); }, sigv4::errc::credentials_not_found,
                 {"HOME", "AWS_SHARED_CREDENTIALS_FILE"});
  }
  SECTION("unusable values are refused naming the profile, not the value") {
    const auto bad = dir.write("bad", "[default]\naws_access_key_id = AKID/SLASH\naws_secret_access_key = " +
                                          std::string(ini_secret) + "\n");
    const auto what = expect_error([&] { sigv4::credentials_from_shared_file({}, bad, fake({})); },
                                   sigv4::errc::invalid_credentials, {"access key id", "'default'", bad});
    CHECK(what.find("AKID/SLASH") == std::string::npos);
  }
}

TEST_CASE("default_credentials: environment first, then the shared file", "[credentials][default]") {
  temp_dir dir;
  dir.write("home/.aws/credentials", "[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = " +
                                         std::string(ini_secret) +
                                         "\n[dev]\naws_access_key_id = AKIDDEV\naws_secret_access_key = " +
                                         std::string(ini_dev_secret) + "\n");
  const std::string home = dir.path("home");
  const env_map aws = {{"HOME", home}, {"AWS_ACCESS_KEY_ID", "AKIDENV"}, {"AWS_SECRET_ACCESS_KEY", aws_secret}};

  SECTION("the environment wins, even over AWS_PROFILE") {
    env_map m = aws;
    m["AWS_PROFILE"] = "dev";
    CHECK(sigv4::default_credentials({}, fake(m)).access_key_id() == "AKIDENV");
  }
  SECTION("MinIO variables count as the environment") {
    CHECK(sigv4::default_credentials({}, fake({{"HOME", home}, {"MINIO_ROOT_USER", "minioadmin"},
                                                {"MINIO_ROOT_PASSWORD", root_password}}))
              .access_key_id() == "minioadmin");
  }
  SECTION("nothing in the environment: the shared file, profile from AWS_PROFILE") {
    CHECK(sigv4::default_credentials({}, fake({{"HOME", home}})).access_key_id() == "AKIDFILE");
    CHECK(sigv4::default_credentials({}, fake({{"HOME", home}, {"AWS_PROFILE", "dev"}})).access_key_id() == "AKIDDEV");
  }
  SECTION("a profile argument skips the environment") {
    CHECK(sigv4::default_credentials("dev", fake(aws)).access_key_id() == "AKIDDEV");
    expect_error([&] { sigv4::default_credentials("prod", fake(aws)); }, sigv4::errc::credentials_not_found,
                 {"'prod'"});
  }
  SECTION("an id without its secret is an error, not a reason to fall back") {
    expect_error([&] { sigv4::default_credentials({}, fake({{"HOME", home}, {"AWS_ACCESS_KEY_ID", "AKIDENV"}})); },
                 sigv4::errc::credentials_not_found, {"AWS_SECRET_ACCESS_KEY"});
  }
  SECTION("neither source: one message naming the variables and the file") {
    const auto nohome = dir.path("empty-home");
    expect_error([&] { sigv4::default_credentials({}, fake({{"HOME", nohome}})); }, sigv4::errc::credentials_not_found,
                 {"AWS_ACCESS_KEY_ID", "MINIO_ROOT_USER", "MINIO_ACCESS_KEY", nohome + "/.aws/credentials"});
    expect_error([&] { sigv4::default_credentials({}, fake({{"HOME", home}, {"AWS_PROFILE", "prod"}})); },
                 sigv4::errc::credentials_not_found, {"AWS_ACCESS_KEY_ID", "'prod'", home + "/.aws/credentials"});
  }
}

TEST_CASE("error_code twins of the providers", "[credentials][errors]") {
  temp_dir dir;
  const auto file = dir.write("creds", "[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = " +
                                           std::string(ini_secret) + "\n");
  std::error_code ec = sigv4::errc::invalid_date;

  auto c = sigv4::credentials_from_env(ec, fake({{"AWS_ACCESS_KEY_ID", "AKIDENV"}, {"AWS_SECRET_ACCESS_KEY", aws_secret}}));
  CHECK_FALSE(ec);
  REQUIRE(c.has_value());
  CHECK(c->access_key_id() == "AKIDENV");
  c = sigv4::credentials_from_env(ec, fake({}));
  CHECK(ec == sigv4::make_error_code(sigv4::errc::credentials_not_found));
  CHECK_FALSE(c.has_value());

  c = sigv4::credentials_from_shared_file(ec, {}, file, fake({}));
  CHECK_FALSE(ec);
  REQUIRE(c.has_value());
  CHECK(c->access_key_id() == "AKIDFILE");
  c = sigv4::credentials_from_shared_file(ec, "prod", file, fake({}));
  CHECK(ec == sigv4::make_error_code(sigv4::errc::credentials_not_found));
  CHECK_FALSE(c.has_value());

  c = sigv4::default_credentials(ec, {}, fake({{"AWS_SHARED_CREDENTIALS_FILE", file}}));
  CHECK_FALSE(ec);
  REQUIRE(c.has_value());
  CHECK(c->access_key_id() == "AKIDFILE");
  c = sigv4::default_credentials(ec, {}, fake({{"AWS_CREDENTIAL_EXPIRATION", "soon"}, {"AWS_ACCESS_KEY_ID", "AKIDENV"},
                                               {"AWS_SECRET_ACCESS_KEY", aws_secret}}));
  CHECK(ec == sigv4::make_error_code(sigv4::errc::invalid_date));
  CHECK_FALSE(c.has_value());
}

TEST_CASE("process_env treats unset as nullopt", "[credentials][env]") {
  CHECK_FALSE(sigv4::process_env("SIGV4_TEST_VARIABLE_THAT_IS_NEVER_SET_3f9a1c").has_value());
}

TEST_CASE("printing credentials redacts the secret and the token", "[credentials][print]") {
  const sigv4::credentials plain("AKIDEXAMPLE", aws_secret);
  CHECK(sigv4::to_string(plain) ==
        "credentials{access_key_id=AKIDEXAMPLE, secret_access_key=<redacted>, session_token=<none>, expires=<never>}");

  const std::string token(812, 'T');
  const sigv4::credentials temp("ASIAEXAMPLE", aws_secret, token, sigv4::parse_iso8601("2026-11-22T15:04:05Z"));
  const std::string s = sigv4::to_string(temp);
  CHECK(s ==
        "credentials{access_key_id=ASIAEXAMPLE, secret_access_key=<redacted>, session_token=<redacted, 812 chars>, "
        "expires=20261122T150405Z}");
  CHECK(s.find(aws_secret) == std::string::npos);
  CHECK(s.find("TTTT") == std::string::npos);

  std::ostringstream os;
  os << temp;
  CHECK(os.str() == s);
}

TEST_CASE("secret_string copies and moves keep the value; moved-from is empty", "[credentials][secret]") {
  sigv4::secret_string a(aws_secret);
  CHECK(a.view() == aws_secret);
  CHECK(a.size() == std::string_view(aws_secret).size());

  const sigv4::secret_string copy(a);
  CHECK(copy.view() == aws_secret);
  CHECK(a.view() == aws_secret);

  sigv4::secret_string moved(std::move(a));
  CHECK(moved.view() == aws_secret);
  CHECK(a.empty());  // NOLINT(bugprone-use-after-move): moved-from state is specified
  CHECK(a.view().empty());

  sigv4::secret_string assigned("other");
  assigned = copy;
  CHECK(assigned.view() == aws_secret);
  assigned = sigv4::secret_string("short");
  CHECK(assigned.view() == "short");
  sigv4::secret_string target("to be replaced");
  target = std::move(moved);
  CHECK(target.view() == aws_secret);
  CHECK(moved.empty());  // NOLINT(bugprone-use-after-move)
  CHECK(sigv4::secret_string().empty());

  // Credentials copy and move their secret along.
  const sigv4::credentials c("AKIDEXAMPLE", aws_secret);
  sigv4::credentials c2 = c;
  CHECK(c2.secret_access_key() == aws_secret);
  const sigv4::credentials c3 = std::move(c2);
  CHECK(c3.secret_access_key() == aws_secret);
  CHECK(c.secret_access_key() == aws_secret);
}

// ---------------------------------------------------------------------------------------------
// credential_provider: sources that notice change

namespace {
using steady = std::chrono::steady_clock;
const steady::time_point t0 = steady::time_point(std::chrono::hours(1000));
const char* const old_secret = "old-rotated-secret-0a1b2c";
const char* const new_secret = "new-rotated-secret-3d4e5f";

// A secret volume as the kubelet lays it out (pkg/volume/util/atomic_writer.go): the files in a
// timestamped folder, `..data` a symlink to it, and each key a symlink `KEY -> ..data/KEY`. An
// update writes a new folder, points `..data_tmp` at it, renames `..data_tmp` over `..data` (the
// one atomic step) and removes the old folder.
class secret_volume {
 public:
  explicit secret_volume(const temp_dir& d) : dir_(d) {}
  void publish(const std::map<std::string, std::string>& files) {
    const std::string version = "..2026_12_02_14_00_00." + std::to_string(++n_);
    for (const auto& f : files) dir_.write(version + "/" + f.first, f.second);
    const fs::path root = dir_.path();
    fs::create_directory_symlink(version, root / "..data_tmp");
    fs::rename(root / "..data_tmp", root / "..data");
    for (const auto& f : files)
      if (!fs::is_symlink(root / f.first)) fs::create_symlink(fs::path("..data") / f.first, root / f.first);
    if (!previous_.empty()) fs::remove_all(root / previous_);
    previous_ = version;
  }

 private:
  const temp_dir& dir_;
  std::string previous_;
  int n_ = 0;
};

std::map<std::string, std::string> secret_files(const std::string& id, const std::string& secret) {
  return {{"AWS_ACCESS_KEY_ID", id + "\n"}, {"AWS_SECRET_ACCESS_KEY", secret + "\n"}};
}

void check_clean(const std::optional<std::string>& problem) {
  REQUIRE(problem);
  for (const auto& s : all_secrets) CHECK(problem->find(s) == std::string::npos);
  CHECK(problem->find(old_secret) == std::string::npos);
  CHECK(problem->find(new_secret) == std::string::npos);
  CHECK(problem->find("the last good credentials stay in use") != std::string::npos);
}
}  // namespace

TEST_CASE("provider: a secret directory swapped through ..data is re-read at the next check", "[provider][dir]") {
  temp_dir dir;
  secret_volume vol(dir);
  vol.publish(secret_files("AKIDOLD", old_secret));
  sigv4::credential_provider p(sigv4::from_secret_dir{dir.path(), {}}, {std::chrono::seconds(10)});
  CHECK(p.current().access_key_id() == "AKIDOLD");
  CHECK(p.current().secret_access_key() == old_secret);
  auto r = p.poll(t0);  // due, nothing changed
  CHECK_FALSE(r.changed);
  CHECK_FALSE(r.problem);

  vol.publish(secret_files("AKIDNEW", new_secret));
  r = p.poll(t0 + std::chrono::seconds(9));  // not due yet: the files are not even looked at
  CHECK_FALSE(r.changed);
  CHECK(p.current().access_key_id() == "AKIDOLD");
  r = p.poll(t0 + std::chrono::seconds(10));
  CHECK(r.changed);
  CHECK_FALSE(r.problem);
  CHECK(p.current().access_key_id() == "AKIDNEW");
  CHECK(p.current().secret_access_key() == new_secret);
  r = p.poll(t0 + std::chrono::seconds(20));
  CHECK_FALSE(r.changed);

  SECTION("with a session token and an expiry") {
    auto files = secret_files("ASIATEMP", new_secret);
    files["AWS_SESSION_TOKEN"] = "FwoGZXIvtoken\n";
    files["AWS_CREDENTIAL_EXPIRATION"] = "2026-12-02T15:00:00Z\n";
    vol.publish(files);
    CHECK(p.poll(t0 + std::chrono::seconds(30)).changed);
    CHECK(p.current().session_token() == "FwoGZXIvtoken");
    REQUIRE(p.current().expiration());
    CHECK(*p.current().expiration() == sigv4::parse_iso8601("2026-12-02T15:00:00Z"));
  }
  SECTION("a new presigner URL after poll_into") {
    sigv4::credentials first = p.current();
    struct target {
      std::vector<std::string> ids;
      void set_credentials(const sigv4::credentials& c) { ids.push_back(c.access_key_id()); }
    } t;
    vol.publish(secret_files("AKIDTHIRD", old_secret));
    CHECK(p.poll_into(t, t0 + std::chrono::seconds(30)).changed);
    CHECK(t.ids == std::vector<std::string>{"AKIDTHIRD"});
    CHECK_FALSE(p.poll_into(t, t0 + std::chrono::seconds(40)).changed);
    CHECK(t.ids.size() == 1);
  }
}

TEST_CASE("provider: half-written, missing and empty files keep the last good credentials, reported once",
          "[provider][errors]") {
  temp_dir dir;
  const std::string id_file = dir.write("id", "AKIDOLD\n");
  const std::string secret_file = dir.write("secret", std::string(old_secret) + "\n");
  sigv4::credential_provider p(
      sigv4::from_environment{fake({{"AWS_ACCESS_KEY_ID_FILE", id_file}, {"AWS_SECRET_ACCESS_KEY_FILE", secret_file}})},
      {std::chrono::seconds(5)});
  CHECK(p.current().secret_access_key() == old_secret);
  auto at = t0;
  const auto next = [&] { return p.poll(at += std::chrono::seconds(5)); };

  dir.write("secret", "");  // truncated: the writer has not written the new value yet
  auto r = next();
  CHECK_FALSE(r.changed);
  check_clean(r.problem);
  CHECK(r.problem->find(secret_file) != std::string::npos);
  CHECK(r.problem->find("empty") != std::string::npos);
  CHECK(p.current().secret_access_key() == old_secret);  // never an empty secret
  r = next();  // the same problem: not reported again
  CHECK_FALSE(r.changed);
  CHECK_FALSE(r.problem);

  fs::remove(secret_file);  // removed
  r = next();
  check_clean(r.problem);
  CHECK(r.problem->find(std::generic_category().message(ENOENT)) != std::string::npos);
  CHECK(p.current().secret_access_key() == old_secret);
  CHECK_FALSE(next().problem);

  dir.write("secret", std::string(new_secret) + "\n");  // the writer is done
  r = next();
  CHECK(r.changed);
  CHECK_FALSE(r.problem);
  CHECK(p.current().secret_access_key() == new_secret);

  dir.write("secret", "   \n");  // blank again: a new episode is reported again
  check_clean(next().problem);
  CHECK(p.current().secret_access_key() == new_secret);

  dir.write("id", "AKID WITH SPACE\n");  // unusable values
  dir.write("secret", std::string(old_secret) + "\n");
  r = next();
  check_clean(r.problem);
  CHECK(r.problem->find("access key id") != std::string::npos);
  CHECK(p.current().secret_access_key() == new_secret);
}

TEST_CASE("provider: a file that changes while it is read is read again at the next check", "[provider]") {
  temp_dir dir;
  const std::string file = dir.write("secret", old_secret);
  int reads = 0;
  // a reader during which a writer replaces the file (the second read only)
  sigv4::credential_provider p(
      [&] {
        ++reads;
        sigv4::detail::scrubbed s;
        REQUIRE(sigv4::detail::read_file(file, s) == 0);
        if (reads == 2) dir.write("secret", new_secret);
        return sigv4::credentials("AKID", s.view());
      },
      [&] { return std::vector<std::string>{file}; }, {std::chrono::seconds(1)});
  dir.write("secret", std::string(old_secret) + "-2");
  auto r = p.poll(t0);
  CHECK(reads == 2);
  CHECK_FALSE(r.changed);  // dropped: the file changed under the read
  CHECK_FALSE(r.problem);
  CHECK(p.current().secret_access_key() == old_secret);
  r = p.poll(t0 + std::chrono::seconds(1));
  CHECK(reads == 3);
  CHECK(r.changed);
  CHECK(p.current().secret_access_key() == new_secret);
}

TEST_CASE("provider: the check interval runs on the caller's steady clock; a clock that goes back checks",
          "[provider][time]") {
  temp_dir dir;
  const std::string ini = dir.write("credentials", "[default]\naws_access_key_id = AKIDOLD\naws_secret_access_key = " +
                                                       std::string(old_secret) + "\n");
  sigv4::credential_provider p(sigv4::from_shared_file{"", ini, fake({})}, {std::chrono::seconds(60)});
  CHECK_FALSE(p.poll(t0).changed);
  dir.write("credentials", "[default]\naws_access_key_id = AKIDNEW\naws_secret_access_key = " + std::string(new_secret) +
                               "\n");
  CHECK_FALSE(p.poll(t0 + std::chrono::seconds(59)).changed);
  CHECK(p.current().access_key_id() == "AKIDOLD");
  CHECK(p.poll(t0 - std::chrono::seconds(3600)).changed);  // before the last check: counts as due
  CHECK(p.current().access_key_id() == "AKIDNEW");

  SECTION("the profile gone from the file") {
    dir.write("credentials", "[other]\naws_access_key_id = AKIDX\naws_secret_access_key = x\n");
    const auto r = p.poll(t0 + std::chrono::hours(1));
    check_clean(r.problem);
    CHECK(r.problem->find("profile 'default' is not in") != std::string::npos);
    CHECK(p.current().access_key_id() == "AKIDNEW");
  }
}

TEST_CASE("provider: the first read throws as the source's function does", "[provider][errors]") {
  temp_dir dir;
  expect_error([&] { sigv4::credential_provider p(sigv4::from_secret_dir{dir.path(), {}}); },
               sigv4::errc::credentials_not_found, {dir.path("AWS_ACCESS_KEY_ID"), "cannot be read"});
  dir.write("AWS_ACCESS_KEY_ID", "AKID");
  dir.write("AWS_SECRET_ACCESS_KEY", "\n");
  expect_error([&] { sigv4::credential_provider p(sigv4::from_secret_dir{dir.path(), {}}); },
               sigv4::errc::credentials_not_found, {dir.path("AWS_SECRET_ACCESS_KEY"), "empty"});
  dir.write("AWS_SECRET_ACCESS_KEY", file_secret);
  dir.write("AWS_CREDENTIAL_EXPIRATION", "tomorrow");
  expect_error([&] { sigv4::credential_provider p(sigv4::from_secret_dir{dir.path(), {}}); },
               sigv4::errc::invalid_date, {dir.path("AWS_CREDENTIAL_EXPIRATION"), "ISO-8601"});
}

#if !defined(_WIN32)
TEST_CASE("provider: a file replaced by one it may not read is reported (permission denied), the old credentials stay",
          "[provider][errors]") {
  temp_dir dir;
  const std::string id = dir.write("AWS_ACCESS_KEY_ID", "AKIDOLD");
  const std::string secret = dir.write("AWS_SECRET_ACCESS_KEY", old_secret);
  for (const auto& f : {dir.path(), id, secret}) fs::permissions(f, fs::perms::others_read, fs::perm_options::add);
  fs::permissions(dir.path(), fs::perms::others_exec, fs::perm_options::add);
  sigv4::credential_provider p(sigv4::from_secret_dir{dir.path(), {}}, {std::chrono::seconds(1)});
  fs::remove(secret);
  dir.write("AWS_SECRET_ACCESS_KEY", new_secret);
  fs::permissions(secret, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace);
  // Root reads any file: the check runs in a child process that has become `nobody` (65534).
  // Exit codes: 0 all good, 10 still able to read the file, 11-14 a failed expectation.
  const auto check = [&]() -> int {
    if (std::FILE* f = std::fopen(secret.c_str(), "rb")) {
      std::fclose(f);
      return 10;
    }
    const auto r = p.poll(t0);
    if (r.changed) return 11;
    if (!r.problem || r.problem->find(std::generic_category().message(EACCES)) == std::string::npos ||
        r.problem->find(secret) == std::string::npos)
      return 12;
    if (r.problem->find(new_secret) != std::string::npos || r.problem->find(old_secret) != std::string::npos) return 13;
    if (p.current().secret_access_key() != old_secret) return 14;
    return 0;
  };
  if (::geteuid() != 0) {
    CHECK(check() == 0);
    return;
  }
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    if (::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(20);
    ::_exit(check());
  }
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}
#endif

TEST_CASE("shared file: key lines before the first [section] belong to no profile", "[credentials][file]") {
  // Python's configparser, which the AWS CLI reads the file with, refuses such lines
  // (MissingSectionHeaderError); they are never a profile's values here, not even of a profile
  // whose name is empty (found by fuzz_credentials, tests/fuzz/regressions/credentials/).
  const char* const text = "aws_access_key_id=STRAY\naws_secret_access_key=stray\n[default]\naws_access_key_id=AKID\n";
  sigv4::detail::profile_values none;
  sigv4::detail::parse_shared_credentials(text, "", none);
  CHECK_FALSE(none.found);
  CHECK_FALSE(none.id.has_value());
  CHECK_FALSE(none.secret.has_value());
  sigv4::detail::profile_values def;
  sigv4::detail::parse_shared_credentials(text, "default", def);
  CHECK(def.found);
  REQUIRE(def.id.has_value());
  CHECK(def.id->view() == "AKID");
  CHECK_FALSE(def.secret.has_value());
}
