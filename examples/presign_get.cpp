// A 15-minute download link for one object, printed on stdout.
//
//   presign_get [PUBLIC_ENDPOINT [REGION]]
//
// Credentials come from the environment (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY,
// MINIO_ROOT_USER / MINIO_ROOT_PASSWORD, their *_FILE forms) or ~/.aws/credentials.
#include <sigv4/s3.hpp>
#include <fmt/core.h>

int main(int argc, char** argv) {
  using namespace std::chrono_literals;
  try {
    // Sign for the endpoint the client will connect to: the Host is part of the signature.
    const sigv4::s3::presigner presigner(argc > 1 ? argv[1] : "https://files.geocrop.example",
                                         argc > 2 ? argv[2] : "us-east-1", sigv4::default_credentials());
    fmt::print("{}\n", presigner.presign_get("geocrop-results", "jobs/job-123/result.tif", 15min, sigv4::clock::now()));
  } catch (const sigv4::error& e) {
    fmt::print(stderr, "presign_get: {}\n", e.what());
    return 1;
  }
}
