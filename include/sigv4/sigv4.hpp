/// @file
/// sigv4 — AWS Signature Version 4 signing and S3 / MinIO presigning. The umbrella header.
#ifndef SIGV4_SIGV4_HPP
#define SIGV4_SIGV4_HPP

#include "detail/config.hpp"

#include "canonical.hpp"
#include "cidr.hpp"
#include "aws_config.hpp"
#include "credential_provider.hpp"
#include "header_signer.hpp"
#include "credentials.hpp"
#include "errors.hpp"
#include "key_set.hpp"
#include "policy.hpp"
#include "post_policy.hpp"
#include "refresh.hpp"
#include "s3.hpp"
#include "s3_multipart.hpp"
#include "signer.hpp"
#include "sts.hpp"
#include "time.hpp"
#include "verify.hpp"
#include "version.hpp"

#endif
